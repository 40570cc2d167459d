/**
 * golem-rx for Express (4 and 5): a status handler and the lifecycle wiring. Express is not a
 * dependency of golem-rx: the types here are structural (Node's request and response).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withHiddenToken } from './auth.js';
import type { RunnableRegistry } from './RunnableRegistry.js';
import type { HttpServerLike } from './serverRunnable.js';
import type { StatusHandlerConfig, StatusSnapshotSource } from './statusEndpoint.js';
import { createStatusListener } from './node.js';
import { wireUpHttpServer } from './wireUpHttpServer.js';

/** An Express handler serving the JSON status; `token` is the token it requires. */
export type ExpressStatusHandler = ((
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void) & { readonly token: string | undefined };

/**
 * An Express handler serving the JSON status of `status`: 200 with the token
 * (`Authorization: Bearer` or `?token=`), 401 without. An unexpected failure goes to `next(err)`.
 *
 * @param status - the status store.
 * @param config - see {@link StatusHandlerConfig}; without `token` one is generated (`handler.token`).
 * @returns the handler.
 *
 * @example
 * ```ts
 * app.get('/status', expressStatusHandler(status, { token: process.env.STATUS_TOKEN }));
 * ```
 */
export function expressStatusHandler(
  status: StatusSnapshotSource,
  config: StatusHandlerConfig = {},
): ExpressStatusHandler {
  const listener = createStatusListener(status, config);
  const handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    try {
      listener(req, res);
    } catch (err) {
      next(err);
    }
  };
  return withHiddenToken(handler, listener.token);
}

/**
 * Ties a registry to an Express server's life (Express has no lifecycle hooks of its own, so
 * this wires the `http.Server` that `app.listen()` returns): the runnables start when it
 * listens, the registry shuts down when it closes, and a shutdown from elsewhere (a signal)
 * closes it.
 *
 * @param server - what `app.listen(port, '127.0.0.1')` returned.
 * @param registry - the runnables.
 * @returns the registry
 *
 * @example
 * ```ts
 * const server = app.listen(3000, '127.0.0.1');
 * wireUpExpress(server, wireUp([runnableFromNode(node), pipeline]));
 * ```
 */
export function wireUpExpress(server: HttpServerLike, registry: RunnableRegistry): RunnableRegistry {
  return wireUpHttpServer(server, registry, { name: 'express' });
}
