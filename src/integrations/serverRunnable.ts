import type { Runnable } from './Runnable.js';

/**
 * What the adapters need of a Node HTTP server (`http.Server`, what `app.listen()` of Express
 * and `serve()` of `@hono/node-server` return).
 */
export interface HttpServerLike {
  readonly listening: boolean;
  once(event: 'listening' | 'close', listener: () => void): unknown;
  close(callback?: (err?: Error) => void): unknown;
  closeIdleConnections?(): void;
}

/**
 * A Node HTTP server as a {@link Runnable}: `run()` resolves when the server has closed (all its
 * connections ended); `abort()` closes it (no new connections, idle keep-alive ones closed at
 * once, open requests finish) and resolves when it has closed.
 *
 * @param server - a listening (or about to listen) server.
 * @param config - its `name` in status reports (default `'http-server'`).
 * @returns a one-shot runnable.
 */
export function runnableFromServer(server: HttpServerLike, config: { name?: string } = {}): Runnable {
  let closed = false;
  let onClosed: () => void = () => undefined;
  const whenClosed = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  server.once('close', () => {
    closed = true;
    onClosed();
  });
  let running: Promise<void> | undefined;
  return {
    name: config.name ?? 'http-server',
    run(): Promise<void> {
      running ??= whenClosed;
      return running;
    },
    abort(): Promise<void> {
      if (closed) return Promise.resolve();
      if (!server.listening) {
        // never listened: nothing to close, and no 'close' will come
        closed = true;
        onClosed();
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err !== undefined && !closed) reject(err);
          else resolve();
        });
        server.closeIdleConnections?.();
      });
    },
  };
}
