/**
 * Keeps secrets out of every output. Secret values are registered once (config load) and replaced
 * in any text that goes to the user: logs, traces, error messages, stderr.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would redact ordinary words; a real Intercom token is long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  // Authorization headers that reach an error dump are redacted whatever their value.
  return out.replace(/(authorization["']?\s*[:=]\s*["']?Bearer\s+)[^\s"',}]+/gi, '$1***');
}

export function clearSecretsForTests(): void {
  secrets.clear();
}
