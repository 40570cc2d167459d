/**
 * The websocket upgrades of devnet (fastify routes plain requests only): one `upgrade` listener
 * on the server that counts the request, checks the app key as yagna does (`Authorization:
 * Bearer` or `?authToken=`; a 401 in text/plain otherwise), and hands the request to the module
 * whose path it is; a path no module claims is a 404. Modules register a route in `register(app)`
 * through the router `startDevnet` gives them.
 */
import { timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerCounters } from './server.js';

/** One module's websocket endpoints. */
export interface UpgradeRoute {
  /** Is `path` (without the query) one of this route's? */
  matches(path: string): boolean;
  /**
   * Takes the upgrade (authorized already): completes it, or answers with
   * {@link rejectUpgrade}.
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
}

/** Routes the server's websocket upgrades to the modules. */
export class UpgradeRouter {
  private readonly routes: UpgradeRoute[] = [];
  private readonly expectedKey: Buffer;

  constructor(private readonly options: { readonly appKey: string; readonly counters: ServerCounters }) {
    this.expectedKey = Buffer.from(options.appKey, 'utf8');
  }

  /** Adds a module's websocket endpoints. */
  route(route: UpgradeRoute): void {
    this.routes.push(route);
  }

  /** Listens to `server`'s upgrades. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.handle(request, socket, head),
    );
  }

  private handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.options.counters.total += 1;
    socket.on('error', () => socket.destroy()); // a client gone mid-handshake: nothing to answer
    const url = new URL(request.url ?? '/', 'http://devnet');
    const route = this.routes.find((r) => r.matches(url.pathname));
    const key = presentedKey(request, url);
    if (key === undefined || !this.sameKey(key)) {
      this.options.counters.unauthorized += 1;
      rejectUpgrade(
        socket,
        401,
        key === undefined ? 'Missing application key' : 'Invalid application key',
        'text',
      );
      return;
    }
    if (route === undefined) {
      rejectUpgrade(socket, 404, `No such endpoint: GET ${url.pathname}`);
      return;
    }
    route.upgrade(request, socket, head, url);
  }

  private sameKey(presented: string): boolean {
    const given = Buffer.from(presented, 'utf8');
    return given.length === this.expectedKey.length && timingSafeEqual(given, this.expectedKey);
  }
}

/** Answers an upgrade with an HTTP error (yagna's `{"message"}` JSON, or text) and closes the socket. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  kind: 'json' | 'text' = 'json',
): void {
  const body = kind === 'json' ? JSON.stringify({ message }) : message;
  const type = kind === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

function presentedKey(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (m !== null) return m[1];
  }
  const token = url.searchParams.get('authToken');
  return token === null || token === '' ? undefined : token;
}
