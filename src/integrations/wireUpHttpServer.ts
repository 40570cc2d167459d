import type { RunnableRegistry } from './RunnableRegistry.js';
import { type HttpServerLike, runnableFromServer } from './serverRunnable.js';

/**
 * Ties a registry to a Node HTTP server's life: the runnables start when the server listens (at
 * once if it already does), and the registry shuts down (aborts, then drains) when the server
 * closes. The server joins the registry as a runnable, so a shutdown from elsewhere (SIGINT,
 * SIGTERM, `wireUpOnShutdown()`) closes it too.
 *
 * @param server - `http.createServer(…)`, Express's `app.listen(…)`, Hono's `serve(…)`.
 * @param registry - the runnables to tie to it.
 * @param config - the server's `name` in status reports (default `'http-server'`).
 * @returns the registry
 *
 * @example
 * ```ts
 * const server = http.createServer(handler).listen(8080, '127.0.0.1');
 * wireUpHttpServer(server, wireUp([runnableFromNode(node)]));
 * ```
 */
export function wireUpHttpServer(
  server: HttpServerLike,
  registry: RunnableRegistry,
  config: { name?: string } = {},
): RunnableRegistry {
  registry.add(runnableFromServer(server, config));
  const start = (): void => void registry.wireUpOnStartup();
  if (server.listening) start();
  else server.once('listening', start);
  server.once('close', () => void registry.wireUpOnShutdown('server closed'));
  return registry;
}
