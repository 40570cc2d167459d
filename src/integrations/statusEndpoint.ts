import { resolveToken, tokenCheck, withHiddenToken } from './auth.js';
import { toStatusJson } from './statusJson.js';
import type { StatusState } from './statusModel.js';

/** What the status endpoint reads: a `StatusStore`, or anything with the current model. */
export interface StatusSnapshotSource {
  snapshot(): StatusState;
}

/** Options of the status handlers of every framework. */
export interface StatusHandlerConfig {
  /**
   * The token requests must carry (`Authorization: Bearer <token>` or `?token=<token>`).
   * When absent a random one is generated; read it from the handler's `token` (non-enumerable,
   * so printing the handler does not print it). `false` turns the check off: only behind your
   * app's own authentication.
   */
  token?: string | false;
}

/** A framework-free request: its `Authorization` header and its URL (path and query). */
export interface StatusRequest {
  readonly authorization?: string | null;
  readonly url?: string;
}

/** A framework-free response. */
export interface StatusResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The framework-free core of the status handlers: answers one request. */
export interface StatusEndpoint {
  /** The token (non-enumerable); `undefined` when the check is off. */
  readonly token: string | undefined;
  /** Answers: 200 with the JSON status, or 401 without the token. */
  handle(request: StatusRequest): StatusResponse;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * The status endpoint every framework adapter wraps: `GET` → the JSON status
 * ({@link toStatusJson}) of `status`, pretty-printed; 401 without the token. Logs nothing.
 *
 * @param status - the status store.
 * @param config - see {@link StatusHandlerConfig}.
 * @returns the endpoint.
 * @throws {TypeError} on an empty token
 *
 * @example
 * ```ts
 * const endpoint = createStatusEndpoint(status);
 * const { status: code, headers, body } = endpoint.handle({ authorization: `Bearer ${endpoint.token}` });
 * ```
 */
export function createStatusEndpoint(
  status: StatusSnapshotSource,
  config: StatusHandlerConfig = {},
): StatusEndpoint {
  const token = config.token === false ? undefined : resolveToken(config.token, 'status handler');
  const allowed = token === undefined ? () => true : tokenCheck(token);
  const endpoint = {
    handle(request: StatusRequest): StatusResponse {
      if (!allowed(request.authorization, request.url)) return unauthorized();
      return {
        status: 200,
        headers: JSON_HEADERS,
        body: `${JSON.stringify(toStatusJson(status.snapshot()), null, 2)}\n`,
      };
    },
  };
  return withHiddenToken(endpoint, token);
}

/** The 401 answer. */
export function unauthorized(): StatusResponse {
  return {
    status: 401,
    headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer' },
    body: `${JSON.stringify({ error: 'Unauthorized', message: 'Send Authorization: Bearer <token> or ?token=<token>' })}\n`,
  };
}
