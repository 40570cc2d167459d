/**
 * A tiny loopback HTTP server for client tests: the handler chooses statuses and bodies, every
 * request is recorded, and requests the client abandons (socket closed before the answer) are seen.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface TinyServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** How many requests were closed by the client before the server finished answering. */
  readonly abandoned: () => number;
  /** Resolves when the next request arrives (or at once if `n` requests already arrived). */
  waitForRequests(n: number): Promise<void>;
  /** Resolves when `n` requests have been abandoned by the client. */
  waitForAbandoned(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Sends a JSON body (or raw text with a content type). */
export function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  contentType = 'application/json',
): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = contentType === 'application/json' || typeof body !== 'string' ? JSON.stringify(body) : body;
  res.writeHead(status, { 'content-type': contentType }).end(text);
}

export async function startTinyServer(handler: Handler): Promise<TinyServer> {
  const requests: SeenRequest[] = [];
  let abandoned = 0;
  const waiters: (() => void)[] = [];
  const poke = (): void => waiters.splice(0).forEach((w) => w());
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'http://x');
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      res.on('close', () => {
        if (!res.writableFinished) {
          abandoned++;
          poke();
        }
      });
      poke();
      void Promise.resolve(handler(seen, res)).catch((err: unknown) => {
        if (!res.headersSent) send(res, 599, { message: String(err) });
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const until = (cond: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (cond()) resolve();
        else waiters.push(check);
      };
      check();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    abandoned: () => abandoned,
    waitForRequests: (n) => until(() => requests.length >= n),
    waitForAbandoned: (n) => until(() => abandoned >= n),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
