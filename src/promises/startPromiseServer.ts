import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { isPromiseNotFoundError } from './errors/PromiseNotFoundError.js';
import { isPromiseRegistryClosedError } from './errors/PromiseRegistryClosedError.js';
import type { PromiseId } from './PromiseId.js';
import type { PromiseRegistry } from './PromiseRegistry.js';

/** The part of a {@link PromiseRegistry} the server uses. */
export type PromiseServerRegistry = Pick<
  PromiseRegistry,
  'workerName' | 'completePromise' | 'getPromiseState'
>;

/** Options of {@link startPromiseServer}. */
export interface PromiseServerConfig {
  /** The registry whose promises the server completes. The caller keeps owning (and closing) it. */
  registry: PromiseServerRegistry;
  /** @default 0 (an ephemeral port; read it from `url`) */
  port?: number;
  /** @default '127.0.0.1' (loopback only) */
  host?: string;
  /**
   * The bearer token callers must send. When absent a random one (32 bytes from `crypto`,
   * base64url) is generated and returned once in the handle.
   */
  token?: string;
  /**
   * The largest request body, in bytes. A payload travels as a JSON array of numbers, up to
   * 4 characters a byte.
   * @default 1048576
   */
  bodyLimit?: number;
  /** Receives errors answered with 500 (a failing store, a bug); never given the token. */
  onError?: (err: unknown) => void;
}

/** A running promise server. */
export interface PromiseServerHandle {
  /** The base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bearer token (not enumerable, so printing the handle does not print it). */
  readonly token: string;
  /** The URL to `POST { oplogIdx, data }` to, for this id. */
  completionUrl(id: PromiseId): string;
  /** The URL to `GET` the promise's state from. */
  stateUrl(id: PromiseId): string;
  /** Stops listening and waits for open requests. The registry stays open. */
  close(): Promise<void>;
}

interface CompleteBody {
  oplogIdx: number;
  data: number[];
}

const completeBodySchema = {
  type: 'object',
  required: ['oplogIdx', 'data'],
  properties: {
    oplogIdx: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    data: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } },
  },
} as const;

/**
 * Serves external completion of a registry's promises over HTTP, in the shape of Golem's REST
 * API (`POST …/workers/{worker_name}/complete` with `{ "oplogIdx": n, "data": [bytes] }`,
 * answered with a JSON boolean):
 *
 * | Method | Path | Body | Answer |
 * |---|---|---|---|
 * | POST | `/v1/workers/{workerName}/complete` | `{ "oplogIdx": 3, "data": [121, 101, 115] }` | `true` (completed now) / `false` (already completed) |
 * | GET | `/v1/workers/{workerName}/promises/{oplogIdx}` | | `{ "workerName", "oplogIdx", "status": "pending" \| "completed", "data"?: [bytes] }` |
 *
 * Every request needs `Authorization: Bearer <token>` (401 otherwise). An unknown worker or
 * promise is 404, a malformed body 400, a closed registry 503. `true` is sent only after the
 * completion is durable. Binds 127.0.0.1 unless told otherwise; logs nothing, so the token is
 * only ever in the returned handle.
 *
 * @example
 * ```ts
 * const server = await startPromiseServer({ registry });
 * console.log(`curl -H "Authorization: Bearer ${server.token}" ${server.completionUrl(id)} ...`);
 * await server.close();
 * ```
 */
export async function startPromiseServer(config: PromiseServerConfig): Promise<PromiseServerHandle> {
  const { registry, port = 0, host = '127.0.0.1', bodyLimit = 1_048_576, onError } = config;
  if (config.token === '') throw new TypeError('startPromiseServer: token must not be empty');
  const token = config.token ?? randomBytes(32).toString('base64url');
  const expected = digest(`Bearer ${token}`);

  const app = Fastify({
    logger: false,
    bodyLimit,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (header === undefined || !timingSafeEqual(digest(header), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'Unauthorized', message: 'Send Authorization: Bearer <token>' });
    }
    return undefined;
  });

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (
      err.validation !== undefined ||
      (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
    ) {
      return reply.code(err.statusCode ?? 400).send({ error: 'BadRequest', message: err.message });
    }
    if (isPromiseNotFoundError(err))
      return reply.code(404).send({ error: 'PromiseNotFound', message: err.message });
    if (isPromiseRegistryClosedError(err))
      return reply.code(503).send({ error: 'Closed', message: err.message });
    onError?.(err);
    return reply.code(500).send({ error: 'Internal', message: err.message });
  });

  app.post<{ Params: { workerName: string }; Body: CompleteBody }>(
    '/v1/workers/:workerName/complete',
    { schema: { body: completeBodySchema } },
    async (request, reply) => {
      const { workerName } = request.params;
      if (workerName !== registry.workerName) return notFound(reply, `Worker ${workerName} not found`);
      const id = { workerName, oplogIdx: request.body.oplogIdx };
      const completed = await registry.completePromise(id, Uint8Array.from(request.body.data));
      return reply.type('application/json').send(JSON.stringify(completed));
    },
  );

  app.get<{ Params: { workerName: string; oplogIdx: string } }>(
    '/v1/workers/:workerName/promises/:oplogIdx',
    async (request, reply) => {
      const { workerName, oplogIdx } = request.params;
      const index = /^\d{1,15}$/.test(oplogIdx) ? Number(oplogIdx) : undefined;
      if (workerName !== registry.workerName || index === undefined) {
        return notFound(reply, `Promise ${workerName}/${oplogIdx} not found`);
      }
      const state = registry.getPromiseState({ workerName, oplogIdx: index });
      return reply.send({
        workerName,
        oplogIdx: index,
        status: state.status,
        ...(state.data === undefined ? {} : { data: [...state.data] }),
      });
    },
  );

  await app.listen({ port, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new TypeError(`startPromiseServer: unexpected listen address ${String(address)}`);
  }
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const base = (workerName: string) => `${url}/v1/workers/${encodeURIComponent(workerName)}`;

  const handle = {
    url,
    completionUrl: (id: PromiseId) => `${base(id.workerName)}/complete`,
    stateUrl: (id: PromiseId) => `${base(id.workerName)}/promises/${id.oplogIdx}`,
    close: async (): Promise<void> => {
      await app.close();
    },
  };
  Object.defineProperty(handle, 'token', { value: token, enumerable: false });
  return handle as typeof handle & { readonly token: string };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).send({ error: 'PromiseNotFound', message });
}
