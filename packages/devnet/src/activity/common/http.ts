/**
 * Route plumbing shared by devnet's activity and payment modules, on top of devnet's own
 * `http.ts`: handlers that turn a thrown {@link DevnetHttpError} into yagna's `ErrorMessage`
 * (so the modules answer correctly whatever error handler the server installs), and JSON bodies
 * sent verbatim (`null`, bare strings).
 */
import type { FastifyReply } from 'fastify';
import type { ErrorMessageDto } from 'golem-rx';
import { DevnetHttpError, isDevnetHttpError } from '../../errors/DevnetHttpError.js';

/**
 * The message of a {@link DevnetHttpError} that yagna sends as `{"message": null}`
 * (payment 404 and 501 in Real yagna).
 */
export const NULL_MESSAGE = '';

/** A yagna error with a `null` message: `{"message": null}`. */
export function nullMessageError(status: number): DevnetHttpError {
  return new DevnetHttpError(status, NULL_MESSAGE);
}

/** Sends `{"message": message}` with `status`. */
export function sendError(reply: FastifyReply, status: number, message: string | null): FastifyReply {
  const body: ErrorMessageDto = { message };
  return reply.code(status).type('application/json').send(JSON.stringify(body));
}

/** Sends a JSON value exactly (also `null` and bare strings, which fastify would not quote). */
export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).type('application/json').send(JSON.stringify(value));
}

/**
 * A fastify handler around a route body: a {@link DevnetHttpError} it throws becomes an
 * `ErrorMessage` reply (an empty message becomes `null`); anything else goes to fastify.
 * The handler resolves with the reply the body sent (or hijacked).
 */
export function route<Req, Rep extends FastifyReply>(
  body: (request: Req, reply: Rep) => Promise<void> | void,
): (request: Req, reply: Rep) => Promise<Rep> {
  return async (request, reply) => {
    try {
      await body(request, reply);
    } catch (err) {
      if (!isDevnetHttpError(err)) throw err;
      if (!reply.sent) sendError(reply, err.status, err.message === NULL_MESSAGE ? null : err.message);
    }
    return reply;
  };
}

/** A non-negative integer parameter (`maxItems`, payment `maxEvents`, `commandIndex`); 400 when bad. */
export function intParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new DevnetHttpError(400, `Invalid query parameter ${name}: ${value}`);
  return n;
}
