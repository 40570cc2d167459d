/**
 * golem-rx for Node's own `http` server: a status request listener, and the lifecycle wiring.
 * Also the base of the Express and Hono adapters (both run on a Node `http.Server`).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withHiddenToken } from './auth.js';
import {
  type StatusHandlerConfig,
  type StatusSnapshotSource,
  createStatusEndpoint,
} from './statusEndpoint.js';

export { wireUpHttpServer } from './wireUpHttpServer.js';
export { runnableFromServer, type HttpServerLike } from './serverRunnable.js';

/** A Node request listener that serves the JSON status; `token` is the token it requires. */
export type StatusRequestListener = ((req: IncomingMessage, res: ServerResponse) => void) & {
  readonly token: string | undefined;
};

/**
 * A Node request listener serving the JSON status of `status` (see `toStatusJson`): 200 with
 * the token (`Authorization: Bearer` or `?token=`), 401 without. It answers every request it is
 * given, whatever the path: route to it yourself.
 *
 * @param status - the status store.
 * @param config - see {@link StatusHandlerConfig}; without `token` one is generated (`listener.token`).
 * @returns the listener.
 *
 * @example
 * ```ts
 * const statusListener = createStatusListener(status);
 * const server = http.createServer((req, res) =>
 *   req.url?.startsWith('/status') ? statusListener(req, res) : app(req, res),
 * );
 * ```
 */
export function createStatusListener(
  status: StatusSnapshotSource,
  config: StatusHandlerConfig = {},
): StatusRequestListener {
  const endpoint = createStatusEndpoint(status, config);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const answer = endpoint.handle({ authorization: req.headers.authorization, url: req.url });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  return withHiddenToken(listener, endpoint.token);
}
