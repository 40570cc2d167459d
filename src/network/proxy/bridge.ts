/**
 * One connection of the TCP proxy: a local socket bridged to yagna's websocket of a TCP connection
 * in the network (net API v2 `…/net/{id}/tcp/{ip}/{port}`), bytes as binary frames both ways.
 *
 * - The socket is paused until the websocket is open, so nothing it sends is lost or buffered
 *   without bound; after that, the side that cannot keep up pauses the other (`socket.write`
 *   returning false pauses the websocket until `drain`; too many frames in flight pause the socket).
 * - The client ending its socket closes the websocket; yagna closing the websocket (the service
 *   closed the connection, the network was removed) ends the socket once its data is written.
 * - Pings every `heartbeatMs` (on the scheduler); a websocket that did not answer the previous one
 *   is dropped as broken.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { type SchedulerLike, type Subscription, interval } from 'rxjs';
import WebSocket, { type RawData } from 'ws';

/** Frames in flight to yagna above which the local socket is paused. */
const HIGH_WATER = 16;

/** What a bridge reports when it has ended. */
export interface BridgeEnd {
  /** Bytes from the local client to the provider, and back. */
  readonly sent: number;
  readonly received: number;
  /** Why it failed, if it did. */
  readonly failure?: {
    readonly operation: 'connect' | 'connection';
    readonly message: string;
    readonly status?: number;
    readonly cause?: unknown;
  };
}

/** How a bridge connects and reports. */
export interface BridgeSettings {
  readonly url: string;
  readonly appKey: string | undefined;
  readonly heartbeatMs: number;
  readonly scheduler: SchedulerLike;
  /** The websocket is open: bytes flow. */
  readonly opened: () => void;
  /** The bridge has ended (both sides closed); called once. */
  readonly ended: (end: BridgeEnd) => void;
}

/**
 * Bridges `socket` to a new websocket at `settings.url`.
 * @returns closes the bridge at once (both sides), e.g. when the proxy closes
 */
export function openBridge(socket: Socket, settings: BridgeSettings): () => void {
  let sent = 0;
  let received = 0;
  let inFlight = 0;
  let alive = true;
  let open = false;
  let failure: BridgeEnd['failure'];
  let wsClosed = false;
  let socketClosed = false;
  let heartbeat: Subscription | undefined;
  const headers: Record<string, string> =
    settings.appKey === undefined ? {} : { authorization: `Bearer ${settings.appKey}` };
  const ws = new WebSocket(settings.url, { headers, perMessageDeflate: false });
  socket.pause();

  const fail = (next: NonNullable<BridgeEnd['failure']>): void => {
    failure ??= next;
    socket.destroy();
    ws.terminate();
  };
  const ended = (): void => {
    if (!wsClosed || !socketClosed) return;
    heartbeat?.unsubscribe();
    settings.ended(failure === undefined ? { sent, received } : { sent, received, failure });
  };

  ws.on('unexpected-response', (_request, response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    const refuse = (): void => {
      const status = response.statusCode ?? 0;
      const said = messageOf(Buffer.concat(chunks).toString('utf8'));
      fail({
        operation: 'connect',
        status,
        message: `yagna answered ${status}${said === '' ? '' : `: ${said}`}`,
      });
    };
    response.once('end', refuse);
    response.once('error', refuse);
  });
  ws.on('open', () => {
    open = true;
    settings.opened();
    socket.resume();
    if (settings.heartbeatMs > 0 && Number.isFinite(settings.heartbeatMs)) {
      heartbeat = interval(settings.heartbeatMs, settings.scheduler).subscribe(() => {
        if (!alive) {
          fail({ operation: 'connection', message: 'yagna did not answer a ping' });
          return;
        }
        alive = false;
        ws.ping();
      });
    }
  });
  ws.on('pong', () => (alive = true));
  ws.on('message', (data: RawData) => {
    const bytes = toBuffer(data);
    received += bytes.length;
    if (!socket.writable) return;
    if (!socket.write(bytes)) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  });
  ws.on('error', (cause: Error) => {
    failure ??= { operation: open ? 'connection' : 'connect', message: cause.message, cause };
    socket.destroy();
  });
  ws.on('close', () => {
    wsClosed = true;
    if (!socket.destroyed) socket.end();
    ended();
  });

  socket.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    inFlight += 1;
    ws.send(chunk, { binary: true }, () => {
      inFlight -= 1;
      if (inFlight < HIGH_WATER / 2 && socket.isPaused() && ws.readyState === WebSocket.OPEN) socket.resume();
    });
    if (inFlight >= HIGH_WATER) socket.pause();
  });
  socket.on('end', () => closeWebSocket(ws));
  socket.on('error', (cause: Error) => {
    failure ??= { operation: 'connection', message: `local socket: ${cause.message}`, cause };
    ws.terminate();
  });
  socket.on('close', () => {
    socketClosed = true;
    closeWebSocket(ws);
    ended();
  });

  return () => {
    socket.destroy();
    ws.terminate();
  };
}

/** Closes gracefully when open (queued frames go first), aborts a handshake in progress. */
function closeWebSocket(ws: WebSocket): void {
  if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
}

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** yagna's `{"message": …}`, or its text (a 401 is text/plain), or nothing. */
function messageOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      const { message } = parsed;
      return typeof message === 'string' ? message : '';
    }
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, 200);
}
