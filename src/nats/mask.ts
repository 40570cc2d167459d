/**
 * Credentials out of what golem-rx reports: a server URL's user info (`nats://user:pass@host`
 * becomes `nats://***@host`) and any of the secrets given, wherever they appear in a text.
 */

/** The URL with its user info masked; text that is not a URL is returned as is. */
export function maskServerUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

/** `text` with every non-empty secret replaced by `***`, and URL user info masked. */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let masked = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret !== undefined && secret.length > 0) masked = masked.split(secret).join('***');
  }
  return masked;
}
