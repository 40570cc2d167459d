/**
 * The bearer token of golem-rx's local HTTP endpoints: generated when not given, compared in
 * constant time, accepted as `Authorization: Bearer <token>` or as a `?token=` query parameter
 * (for pages and `EventSource`, which cannot set headers). Never logged.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Checks a request's credentials against one token. */
export interface TokenCheck {
  /**
   * @param authorization the `Authorization` header, if any
   * @param url the request URL (path and query), for `?token=`
   * @returns whether the request carries the token
   */
  (authorization: string | null | undefined, url: string | undefined): boolean;
}

/** A fresh random token: 32 bytes from `crypto`, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The token to use: `token` when given (not empty), else a generated one.
 * @throws {TypeError} on an empty token
 */
export function resolveToken(token: string | undefined, who: string): string {
  if (token === '') throw new TypeError(`${who}: token must not be empty`);
  return token ?? generateToken();
}

/** A constant-time check of `Authorization: Bearer <token>` or `?token=<token>`. */
export function tokenCheck(token: string): TokenCheck {
  const expected = digest(token);
  return (authorization, url) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (bearer !== undefined) return timingSafeEqual(digest(bearer), expected);
    const query = queryToken(url);
    return query !== undefined && timingSafeEqual(digest(query), expected);
  };
}

/** The `token` query parameter of a request URL. */
export function queryToken(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}

/** Defines `token` on `target` as a non-enumerable property, so printing it does not print the token. */
export function withHiddenToken<T extends object, K extends string | undefined>(
  target: T,
  token: K,
): T & { readonly token: K } {
  Object.defineProperty(target, 'token', { value: token, enumerable: false });
  return target as T & { readonly token: K };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
