/**
 * Structural classifiers for poll errors, independent of the HTTP client: they read an HTTP
 * status from `status`, `statusCode` or `response.status`, and a network error code from `code`,
 * walking the `cause` chain. The `src/api` errors only need to carry one of those.
 */

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const TRANSIENT_NAMES = new Set(['TimeoutError', 'NetworkError', 'FetchError']);

function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== null && current !== undefined && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

function numberAt(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : undefined;
}

/**
 * The HTTP status an error carries (`status`, `statusCode` or `response.status`, on the error
 * or along its `cause` chain), or `undefined` when it has none.
 */
export function httpStatusOf(err: unknown): number | undefined {
  for (const link of causeChain(err)) {
    const status =
      numberAt(link, 'status') ??
      numberAt(link, 'statusCode') ??
      numberAt(
        typeof link === 'object' && link !== null ? (link as { response?: unknown }).response : undefined,
        'status',
      );
    if (status !== undefined) return status;
  }
  return undefined;
}

/**
 * Is it worth retrying after a pause? True for 408, 429 and 5xx answers, for network failures
 * (connection refused or reset: yagna restarting) and for client-side timeouts.
 */
export function isTransientPollError(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  return causeChain(err).some((link) => {
    if (typeof link !== 'object' || link === null) return false;
    const { code, name, message } = link as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
    return link instanceof TypeError && message === 'fetch failed';
  });
}

/**
 * Is the polled thing gone for good? True for 404 and 410 (an unsubscribed or expired demand):
 * the source completes instead of polling forever.
 */
export function isTerminalPollError(err: unknown): boolean {
  const status = httpStatusOf(err);
  return status === 404 || status === 410;
}
