/**
 * The net API's TCP websocket (`GET …/net/{id}/tcp/{ip}/{port}`, upgraded): a TCP connection to a
 * service in a VM of the network, bytes as binary frames both ways (text frames are taken as
 * bytes too, as yagna does). yagna pings every 5 s and drops a websocket silent for 10 s; when the
 * service closes the connection the websocket is closed (1000); when the network, the node or the
 * VM goes, it is dropped.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type SchedulerLike, interval } from 'rxjs';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { rejectUpgrade, type UpgradeRoute } from '../upgrade.js';
import type { VpnNetwork } from './networks.js';
import type { TcpConnection, TcpService } from './services.js';
import type { Vm } from './vm.js';

/** Real (core/vpn/src/requestor.rs): yagna pings a TCP websocket every 5 s… */
export const HEARTBEAT_MS = 5_000;
/** …and drops it after 10 s without a frame from the client. */
export const CLIENT_TIMEOUT_MS = 10_000;

/** The websocket paths of v1 (`/net-api/v1/net/…`) and v2 (`/net-api/v2/vpn/net/…`). */
export const TCP_PATH = /^\/net-api\/(?:v1|v2\/vpn)\/net\/([^/]+)\/tcp\/([^/]+)\/([^/]+)$/;

/** Where a connection goes. */
export interface TcpTarget {
  readonly network: VpnNetwork;
  readonly vm: Vm;
  readonly ip: number;
  readonly service: TcpService;
}

/** The target of a connection, or yagna's refusal (403 and 504 have no body). */
export type TcpResolution = TcpTarget | { readonly status: 400 | 403 | 404 | 504; readonly message?: string };

/** One open connection. */
interface Bridge {
  readonly target: TcpTarget;
  readonly ws: WebSocket;
}

/** The open TCP websockets of a devnet. */
export class TcpBridges {
  private readonly sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly open = new Set<Bridge>();

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Connections open now. */
  get count(): number {
    return this.open.size;
  }

  /** The upgrades of the TCP paths, for devnet's upgrade router (which has checked the app key). */
  socketRoute(resolve: (networkId: string, ip: string, port: string) => TcpResolution): UpgradeRoute {
    return {
      matches: (path) => TCP_PATH.test(path),
      upgrade: (request, socket, head, url) => {
        const [, networkId = '', ip = '', port = ''] = TCP_PATH.exec(url.pathname) ?? [];
        const target = resolve(
          decodeURIComponent(networkId),
          decodeURIComponent(ip),
          decodeURIComponent(port),
        );
        if ('status' in target) refuse(socket, target.status, target.message);
        else this.accept(request, socket, head, target);
      },
    };
  }

  /** Drops the connections `which` selects (their network, node or VM went away). */
  drop(which: (target: TcpTarget) => boolean): void {
    for (const bridge of [...this.open]) if (which(bridge.target)) bridge.ws.terminate();
  }

  /** Drops every connection and stops. */
  close(): void {
    this.drop(() => true);
    this.sockets.close();
  }

  private accept(request: IncomingMessage, socket: Duplex, head: Buffer, target: TcpTarget): void {
    this.sockets.handleUpgrade(request, socket, head, (ws) => {
      const bridge: Bridge = { target, ws };
      this.open.add(bridge);
      let lastSeen = this.scheduler.now();
      let ended = false;
      const connection: TcpConnection = target.service({
        write: (bytes) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(bytes, { binary: true });
        },
        end: () => {
          if (ws.readyState === WebSocket.OPEN) ws.close(1000);
        },
      });
      const end = (): void => {
        if (ended) return;
        ended = true;
        connection.end();
      };
      const heartbeat = interval(HEARTBEAT_MS, this.scheduler).subscribe(() => {
        if (this.scheduler.now() - lastSeen > CLIENT_TIMEOUT_MS) ws.terminate();
        else ws.ping();
      });
      const seen = (): void => {
        lastSeen = this.scheduler.now();
      };
      ws.on('pong', seen);
      ws.on('ping', seen);
      ws.on('message', (data: RawData) => {
        seen();
        if (!ended) connection.data(bytesOf(data));
      });
      ws.on('error', () => ws.terminate()); // a broken client: its close follows
      ws.on('close', () => {
        heartbeat.unsubscribe();
        this.open.delete(bridge);
        end();
      });
    });
  }
}

/** Answers an upgrade yagna refuses: its `{"message"}` (400, 404) or an empty body (403, 504). */
function refuse(socket: Duplex, status: number, message: string | undefined): void {
  if (message !== undefined) {
    rejectUpgrade(socket, status, message);
    return;
  }
  const reason = { 403: 'Forbidden', 504: 'Gateway Timeout' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
