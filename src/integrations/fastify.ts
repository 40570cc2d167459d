/**
 * golem-rx for Fastify (5): a status handler and the lifecycle wiring through Fastify's own
 * hooks. Only Fastify's types are imported (`import type`), so this file adds no runtime import.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withHiddenToken } from './auth.js';
import type { Runnable } from './Runnable.js';
import type { RunnableRegistry } from './RunnableRegistry.js';
import {
  type StatusHandlerConfig,
  type StatusSnapshotSource,
  createStatusEndpoint,
} from './statusEndpoint.js';

/** A Fastify route handler serving the JSON status; `token` is the token it requires. */
export type FastifyStatusHandler = ((request: FastifyRequest, reply: FastifyReply) => FastifyReply) & {
  readonly token: string | undefined;
};

/**
 * A Fastify route handler serving the JSON status of `status`: 200 with the token
 * (`Authorization: Bearer` or `?token=`), 401 without.
 *
 * @param status - the status store.
 * @param config - see {@link StatusHandlerConfig}; without `token` one is generated (`handler.token`).
 * @returns the handler.
 *
 * @example
 * ```ts
 * app.get('/status', fastifyStatusHandler(status, { token }));
 * ```
 */
export function fastifyStatusHandler(
  status: StatusSnapshotSource,
  config: StatusHandlerConfig = {},
): FastifyStatusHandler {
  const endpoint = createStatusEndpoint(status, config);
  const handler = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const answer = endpoint.handle({ authorization: request.headers.authorization, url: request.url });
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
  return withHiddenToken(handler, endpoint.token);
}

/**
 * Ties a registry to a Fastify app's life with Fastify's hooks, as Starlette's
 * `on_startup`/`on_shutdown` in the seed: `onReady` → `wireUpOnStartup()`, `onClose` →
 * `wireUpOnShutdown()` (abort, then drain; `app.close()` resolves after the drain). The app joins
 * the registry as the runnable `'fastify'`, so a shutdown from elsewhere (SIGINT, SIGTERM)
 * closes it too. Call it before `app.listen()` / `app.ready()`.
 *
 * @param app - the Fastify instance.
 * @param registry - the runnables.
 * @returns the registry
 *
 * @example
 * ```ts
 * const app = Fastify();
 * wireUpFastify(app, wireUp([runnableFromNode(node), pipeline]));
 * app.get('/status', fastifyStatusHandler(createStatusStore([node.events, registry])));
 * await app.listen({ port: 3000, host: '127.0.0.1' });
 * ```
 */
export function wireUpFastify(app: FastifyInstance, registry: RunnableRegistry): RunnableRegistry {
  let closing = false;
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  const runnable: Runnable = {
    name: 'fastify',
    run: () => closed,
    abort: async () => {
      if (!closing) {
        closing = true;
        await app.close();
      }
      await closed;
    },
  };
  registry.add(runnable);
  app.addHook('onReady', async () => {
    await registry.wireUpOnStartup();
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onClose', async () => {
    onClosed();
    await registry.wireUpOnShutdown('fastify closed');
  });
  return registry;
}
