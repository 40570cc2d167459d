/**
 * Small helpers shared by devnet's route handlers: query parameters the way yagna reads them,
 * JSON-string bodies, and typed errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRfc3339Micros } from './clock.js';
import { DevnetHttpError } from './errors/DevnetHttpError.js';

/** The longest delay a Node timer can hold (about 24.8 days); longer waits are clamped. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A query parameter as a string (the first one when repeated), or `undefined`. */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const query = request.query;
  if (typeof query !== 'object' || query === null) return undefined;
  const value: unknown = (query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Every value of a repeated query parameter (`a=1&a=2`), comma lists split (`a=1,2`). */
export function queryList(request: FastifyRequest, name: string): string[] {
  const query = request.query;
  if (typeof query !== 'object' || query === null) return [];
  const value: unknown = (query as Record<string, unknown>)[name];
  const raw =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.filter((v) => typeof v === 'string')
        : [];
  return raw.flatMap((v: string) => v.split(',')).filter((v) => v.length > 0);
}

/**
 * A `timeout` query parameter in seconds (float, `>= 0`) converted to ms, clamped to what a
 * timer can hold.
 *
 * @throws DevnetHttpError 400 when it is not a non-negative number.
 */
export function timeoutMs(request: FastifyRequest, defaultSeconds: number, name = 'timeout'): number {
  const text = queryParam(request, name);
  if (text === undefined || text === '') return Math.min(defaultSeconds * 1000, MAX_TIMER_MS);
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new DevnetHttpError(400, `Invalid query parameter ${name}: ${text}`);
  }
  return Math.min(Math.round(seconds * 1000), MAX_TIMER_MS);
}

/**
 * `maxEvents` as the market API reads it: default `defaultValue`, allowed `min..max`.
 *
 * @throws DevnetHttpError 400 outside the range (yagna's `InvalidMaxEvents`).
 */
export function maxEvents(request: FastifyRequest, defaultValue: number, min = 1, max = 100): number {
  const text = queryParam(request, 'maxEvents');
  if (text === undefined || text === '') return defaultValue;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DevnetHttpError(400, `maxEvents must be an integer in [${min}, ${max}], got ${text}`);
  }
  return n;
}

/**
 * An RFC 3339 query parameter in microseconds since the epoch, or `undefined` when absent.
 *
 * @throws DevnetHttpError 400 when it does not parse.
 */
export function timestampParam(request: FastifyRequest, name: string): number | undefined {
  const text = queryParam(request, name);
  if (text === undefined || text === '') return undefined;
  const micros = parseRfc3339Micros(text);
  if (micros === undefined) throw new DevnetHttpError(400, `Invalid RFC 3339 timestamp in ${name}: ${text}`);
  return micros;
}

/** Answers a bare JSON string (`"a1b2…"`, with the quotes), as yagna does for ids. */
export function sendJsonString(reply: FastifyReply, status: number, value: string): FastifyReply {
  return reply.code(status).type('application/json').send(JSON.stringify(value));
}

/** Answers an empty body with `status` (204, or 200 where yagna sends 200 with nothing). */
export function sendEmpty(reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).send();
}

/** Is `value` a plain JSON object (not null, not an array)? */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `Reason` of an optional request body (`{"message": …}`); absent, `null` or `{}` → undefined. */
export function reasonFromBody(body: unknown): { message: string; [key: string]: unknown } | undefined {
  if (!isJsonObject(body)) return undefined;
  if (typeof body.message !== 'string') return undefined;
  return { ...body, message: body.message };
}
