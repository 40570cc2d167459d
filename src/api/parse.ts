/**
 * Outline checks of success bodies. The client checks the outline (a string, an array, an object)
 * and converts amounts; field-by-field conformance to the spec is the contract test's job.
 */
import { YagnaArgumentError } from './errors/YagnaArgumentError.js';
import { YagnaProtocolError } from './errors/YagnaProtocolError.js';
import { YAGNA_BASE_PATHS } from './config.js';
import type { YagnaRequest } from './http.js';

/** `METHOD /base/path/{template}` of a request. */
export function endpointOf(request: YagnaRequest): string {
  return `${request.method} ${YAGNA_BASE_PATHS[request.api]}${request.path}`;
}

function protocolError(request: YagnaRequest, expected: string): YagnaProtocolError {
  const endpoint = endpointOf(request);
  return new YagnaProtocolError(`${endpoint} answered with a body that is not ${expected}`, {
    endpoint,
    params: request.params,
  });
}

/** A bare JSON string body (ids). */
export function asString(value: unknown, request: YagnaRequest): string {
  if (typeof value !== 'string') throw protocolError(request, 'a JSON string');
  return value;
}

/** An array body. Elements are not checked. */
export function asArray<T>(value: unknown, request: YagnaRequest): T[] {
  if (!Array.isArray(value)) throw protocolError(request, 'a JSON array');
  return value as T[];
}

/** An object body. Fields are not checked. */
export function asObject<T>(value: unknown, request: YagnaRequest): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw protocolError(request, 'a JSON object');
  }
  return value as T;
}

/** A timestamp argument: a `Date` becomes RFC 3339; strings pass as given. */
export function toTimestamp(value: string | Date | undefined): string | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * A seconds argument (`timeout`): finite and non-negative, or `undefined`.
 * @throws {YagnaArgumentError} otherwise
 */
export function toSeconds(value: number | undefined, argument = 'timeout'): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) {
    throw new YagnaArgumentError(`${argument} must be a non-negative number of seconds`, { argument });
  }
  return value;
}
