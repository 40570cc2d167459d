/**
 * golem-rx for Hono on Node (`@hono/node-server`): a status handler and the lifecycle wiring.
 * Hono is not a dependency of golem-rx: the types here are structural (Web `Request`/`Response`).
 *
 * @module
 */
import { withHiddenToken } from './auth.js';
import type { RunnableRegistry } from './RunnableRegistry.js';
import type { HttpServerLike } from './serverRunnable.js';
import {
  type StatusHandlerConfig,
  type StatusSnapshotSource,
  createStatusEndpoint,
} from './statusEndpoint.js';
import { wireUpHttpServer } from './wireUpHttpServer.js';

/** The part of Hono's `Context` the handler reads. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
}

/** A Hono handler serving the JSON status; `token` is the token it requires. */
export type HonoStatusHandler = ((c: HonoContextLike) => Response) & { readonly token: string | undefined };

/**
 * A Hono handler serving the JSON status of `status`: 200 with the token
 * (`Authorization: Bearer` or `?token=`), 401 without.
 *
 * @param status - the status store.
 * @param config - see {@link StatusHandlerConfig}; without `token` one is generated (`handler.token`).
 * @returns the handler.
 *
 * @example
 * ```ts
 * app.get('/status', honoStatusHandler(status, { token }));
 * ```
 */
export function honoStatusHandler(
  status: StatusSnapshotSource,
  config: StatusHandlerConfig = {},
): HonoStatusHandler {
  const endpoint = createStatusEndpoint(status, config);
  const handler = (c: HonoContextLike): Response => {
    const url = new URL(c.req.raw.url);
    const answer = endpoint.handle({
      authorization: c.req.raw.headers.get('authorization'),
      url: `${url.pathname}${url.search}`,
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
  return withHiddenToken(handler, endpoint.token);
}

/**
 * Ties a registry to the Node server `serve()` of `@hono/node-server` returned: the runnables
 * start when it listens, the registry shuts down when it closes, and a shutdown from elsewhere
 * (a signal) closes it.
 *
 * @param server - what `serve({ fetch: app.fetch, hostname: '127.0.0.1', port })` returned.
 * @param registry - the runnables.
 * @returns the registry
 */
export function wireUpHono(server: HttpServerLike, registry: RunnableRegistry): RunnableRegistry {
  return wireUpHttpServer(server, registry, { name: 'hono' });
}
