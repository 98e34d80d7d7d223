/** What a secret is replaced with in logs and error messages. */
export const REDACTED = '[redacted]';

/**
 * Replace every occurrence of each secret in `text` with {@link REDACTED}, both as written and in its JSON-escaped
 * form (a secret containing `"` or `\` looks different inside a JSON log line). Longer secrets go first so a secret
 * that contains another is removed whole.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return replaceNeedles(text, secretNeedles(secrets));
}

/** redactSecrets() with the needles prepared once, for hot paths such as every log line. */
export function replaceNeedles(text: string, needles: readonly string[]): string {
  let out = text;
  for (const needle of needles) {
    if (out.includes(needle)) out = out.split(needle).join(REDACTED);
  }
  return out;
}

/** The strings to look for: each non-empty secret and its JSON-escaped form, longest first, without duplicates. */
export function secretNeedles(secrets: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...needles].sort((a, b) => b.length - a.length);
}
