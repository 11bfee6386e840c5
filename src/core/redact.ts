/**
 * Keeps secrets out of every output. Secret values are registered once (config load) and replaced
 * in any text that goes to the user: logs, traces, error messages, stderr.
 *
 * A secret is matched in the forms it takes on the way out: as is, and JSON-escaped once and twice
 * (a secret holding `"` or `\` inside a JSON message, or inside an excerpt of a JSON body that is
 * itself put into a JSON message). Text is redacted before it is cut ({@link excerpt}), so a cut
 * can never leave a prefix of a secret that the redaction no longer recognises.
 */
const secrets = new Set<string>();
/** Every registered form (raw and escaped), longest first so a longer form is replaced whole. */
let forms: string[] = [];

/** Shorter values would redact ordinary words; a real Intercom token is long. */
const MIN_SECRET_LENGTH = 6;
/** A run this long of a secret counts as leaking it (a fragment left at a cut). */
export const SECRET_FRAGMENT_LENGTH = 8;

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  const once = jsonEscaped(value);
  const twice = jsonEscaped(once);
  forms = [...new Set([...forms, value, once, twice])].sort((a, b) => b.length - a.length);
}

export function redact(text: string): string {
  let out = text;
  for (const form of forms) {
    if (out.includes(form)) out = out.split(form).join('***');
  }
  // Authorization headers that reach an error dump are redacted whatever their value.
  return out.replace(/(authorization["']?\s*[:=]\s*["']?Bearer\s+)[^\s"',}]+/gi, '$1***');
}

/**
 * At most `maxChars` characters of `text` for a message, redacted first and then cut. If the text
 * held the beginning of a secret without its whole (so redaction could not see it), a run of
 * SECRET_FRAGMENT_LENGTH or more characters of that beginning is never left at the cut.
 */
export function excerpt(text: string, maxChars: number): string {
  const clean = redact(text);
  let cut = clean.slice(0, maxChars);
  // Checked even when nothing was cut: the text itself may end in a secret's beginning.
  for (const form of forms) {
    for (let k = Math.min(form.length - 1, cut.length); k >= SECRET_FRAGMENT_LENGTH; k--) {
      if (cut.endsWith(form.slice(0, k))) {
        cut = cut.slice(0, cut.length - k);
        break;
      }
    }
  }
  return cut.length < clean.length ? `${cut}…` : cut;
}

function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function clearSecretsForTests(): void {
  secrets.clear();
  forms = [];
}
