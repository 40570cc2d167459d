/**
 * Cross-origin requests as yagna answers them, so that a web page can talk to devnet. yagna wraps
 * its API in actix-cors 0.6 configured from `--api-allow-origin` / `YAGNA_API_ALLOW_ORIGIN`
 * (a list; `*` allows any origin), with any method, any header, `max_age` 3600 s, no credentials,
 * and a mismatched origin not blocked but left without CORS headers
 * (yagna `core/serv-api/web/src/middleware/cors.rs`). The same here:
 *
 * - **Preflight** (`OPTIONS` with `Access-Control-Request-Method`, before the app-key check:
 *   browsers send no key with it): an allowed origin gets `200` with its origin echoed in
 *   `Access-Control-Allow-Origin` (also for `*`), every method in `Access-Control-Allow-Methods`,
 *   the requested headers echoed in `Access-Control-Allow-Headers`, `Access-Control-Max-Age: 3600`
 *   and `Vary`; a missing or not allowed origin, or a method outside the list, gets `400` with
 *   actix-cors's text and no CORS header.
 * - **Actual requests**: an allowed `Origin` is echoed in `Access-Control-Allow-Origin`; every
 *   response gets `Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers`.
 *   No `Access-Control-Allow-Credentials`, no `Access-Control-Expose-Headers`.
 * - **401s carry no CORS header**: yagna's app-key check sits inside the CORS middleware and fails
 *   with an error, which actix-cors passes through unchanged, so a page with a wrong key sees a
 *   network error, not the 401.
 *
 * Not emulated: the per-app-key origins of `yagna app-key create --allow-origin` (devnet has one key).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a browser may cache a preflight answer, s (yagna's `--max-age` default). */
export const CORS_MAX_AGE_SEC = 3600;

/** What actix-cors's `allow_any_method` allows, as it lists them. */
const ANY_METHOD = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'PATCH', 'TRACE'];

const VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

/** An HTTP method token (RFC 9110 `token`), as actix parses `Access-Control-Request-Method`. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** devnet's CORS handling, built by {@link createCors}. */
export interface DevnetCors {
  /**
   * Answers a CORS preflight request (before the app-key check).
   * @returns the reply when `request` was a preflight and has been answered, else `undefined`
   */
  answerPreflight(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined;
  /**
   * Adds the CORS headers of an actual request to its response, whatever answers it later (a
   * route, an error, an injected fault, a hijacked event stream). Not called for 401s.
   */
  decorate(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * devnet's CORS, as yagna's with `YAGNA_API_ALLOW_ORIGIN=<allowOrigin>`.
 *
 * @param allowOrigin the allowed origins (`http://127.0.0.1:8080`; `*` for any); empty: none
 * @returns the preflight answer and the response decoration, for the server's `onRequest` hook
 */
export function createCors(allowOrigin: readonly string[]): DevnetCors {
  const allowed = (origin: string | undefined): origin is string =>
    origin !== undefined && allowOrigin.some((entry) => entry === '*' || entry === origin);
  return {
    answerPreflight(request, reply) {
      const requestMethod = header(request, 'access-control-request-method');
      if (request.method !== 'OPTIONS' || requestMethod === undefined || !METHOD_TOKEN.test(requestMethod))
        return undefined;
      const origin = header(request, 'origin');
      const refusal =
        origin === undefined
          ? 'Request header `Origin` is required but was not provided'
          : !allowed(origin)
            ? 'Origin is not allowed to make this request'
            : !ANY_METHOD.includes(requestMethod)
              ? 'Requested method is not allowed'
              : undefined;
      if (refusal !== undefined) return reply.code(400).type('text/plain; charset=utf-8').send(refusal);
      const requestHeaders = header(request, 'access-control-request-headers');
      reply.headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': ANY_METHOD.join(', '),
        ...(requestHeaders === undefined ? {} : { 'access-control-allow-headers': requestHeaders }),
        'access-control-max-age': String(CORS_MAX_AGE_SEC),
        vary: VARY,
      });
      return reply.code(200).send();
    },
    decorate(request, reply) {
      // on the raw response: fastify merges these into what it writes, and so does a hijacked
      // reply's writeHead (the exec-results event stream)
      const origin = header(request, 'origin');
      if (allowed(origin)) reply.raw.setHeader('access-control-allow-origin', origin);
      reply.raw.setHeader('vary', VARY);
    },
  };
}

/**
 * The allowed origins from `--allow-origin` or `YAGNA_API_ALLOW_ORIGIN`: a comma-separated
 * list, blanks dropped.
 *
 * @param text e.g. `http://127.0.0.1:8080,http://localhost:8080` or `*`
 */
export function parseAllowOrigin(text: string): string[] {
  return text
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/**
 * Can `entry` ever match a browser's `Origin` header? `*`, `null` (opaque origins, e.g. a
 * `file:` page) or a serialized origin: scheme, host and port, no path, no trailing slash.
 */
export function isOriginPattern(entry: string): boolean {
  if (entry === '*' || entry === 'null') return true;
  return URL.canParse(entry) && new URL(entry).origin === entry;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
