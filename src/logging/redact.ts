/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret in `text` (raw, and as escaped inside a JSON string)
 * with `[REDACTED]`. Longer secrets first, so a secret containing another is masked whole.
 * Empty secrets are ignored.
 *
 * @example
 * ```ts
 * redact('{"auth":"Bearer abc123"}', ['abc123']); // '{"auth":"Bearer [REDACTED]"}'
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    out = out.split(form).join(REDACTED);
  }
  return out;
}
