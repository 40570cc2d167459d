/**
 * Keeping secrets out of errors: the app key, and `authToken` values a user may have put in a URL.
 * Every error the client raises goes through here before it is thrown.
 */

const AUTH_TOKEN = /(authToken=)[^&\s#"'<>]*/gi;
const MASK = '***';

/** Replaces every secret, and every `authToken=` value, in `text` with `***`. */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text.replace(AUTH_TOKEN, `$1${MASK}`);
  for (const secret of secrets) {
    if (secret !== undefined && secret !== '') out = out.split(secret).join(MASK);
  }
  return out;
}

/** The secrets of a configuration: the app key and any `authToken` query values in its URLs. */
export function secretsOf(appKey: string | undefined, urls: readonly string[]): string[] {
  const secrets = appKey === undefined || appKey === '' ? [] : [appKey];
  for (const url of urls) {
    for (const token of new URL(url).searchParams.getAll('authToken')) {
      if (token !== '') secrets.push(token, encodeURIComponent(token));
    }
  }
  // Longest first, so a key containing another secret is masked whole.
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

const COPIED_FIELDS = ['code', 'errno', 'syscall', 'address', 'port'] as const;

/**
 * A plain copy of an error (message, name, stack, system-error fields, and its cause chain up to
 * `depth`) with every secret masked. The original is dropped: fetch/ky errors may hold the Request,
 * its URL and its headers. Non-errors become an Error describing their type.
 */
export function scrubError(err: unknown, secrets: readonly string[], depth = 3): Error {
  if (!(err instanceof Error)) {
    return new Error(redactText(typeof err === 'string' ? err : `non-error thrown (${typeof err})`, secrets));
  }
  const copy = new Error(redactText(err.message, secrets));
  copy.name = redactText(err.name, secrets);
  copy.stack = err.stack === undefined ? undefined : redactText(err.stack, secrets);
  const source = err as unknown as Record<string, unknown>;
  const target = copy as unknown as Record<string, unknown>;
  for (const field of COPIED_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') target[field] = redactText(value, secrets);
    else if (typeof value === 'number') target[field] = value;
  }
  if (depth > 0 && err.cause !== undefined) copy.cause = scrubError(err.cause, secrets, depth - 1);
  return copy;
}

/** The first system error code (`ECONNREFUSED`, `UND_ERR_SOCKET`…) in an error's cause chain. */
export function errorCode(err: unknown, depth = 4): string | undefined {
  let current: unknown = err;
  for (let i = 0; i <= depth && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}
