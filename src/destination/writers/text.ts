/** Intercom stores bodies as HTML (`hello` comes back as `<p>hello</p>`): compare the text. */
export function sameText(stored: string | null | undefined, sent: string): boolean {
  if (typeof stored !== 'string') return false;
  return plain(stored) === plain(sent);
}

function plain(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
