import { type Server, type Socket, createServer } from 'node:net';
import { type Observable, type SchedulerLike, Subject, type Subscription, asyncScheduler } from 'rxjs';
import { redactText, scrubError, secretsOf } from '../../api/scrub.js';
import { NetworkError } from '../errors/NetworkError.js';
import { formatIpv4, parseIpv4 } from '../ipv4.js';
import type { NetworkMember } from '../members.js';
import type { Network } from '../Network.js';
import { type BridgeEnd, openBridge } from './bridge.js';
import { TcpProxyError } from './TcpProxyError.js';

/** Options of {@link TcpProxy} and {@link createTcpProxy}. */
export interface TcpProxyOptions {
  /**
   * The local port to listen on; `0` takes a free one (read `proxy.port`).
   * @default 0
   */
  port?: number;
  /**
   * The local address to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Interval of the pings on each connection's websocket, in ms; a websocket that did not answer
   * the previous ping is dropped. `0` disables them (yagna pings too, every 5 s).
   * @default 10000
   */
  heartbeatMs?: number;
  /**
   * The clock of the pings.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/**
 * What happens to the proxy's connections, numbered 1, 2, … in arrival order: `opened` (yagna
 * accepted the websocket: bytes flow), then `closed` (with the bytes sent to the provider and
 * received back), or `failed` (with a {@link TcpProxyError}) instead of `closed`.
 */
export type TcpProxyEvent =
  | { readonly type: 'opened'; readonly connection: number }
  | { readonly type: 'closed'; readonly connection: number; readonly sent: number; readonly received: number }
  | {
      readonly type: 'failed';
      readonly connection: number;
      readonly sent: number;
      readonly received: number;
      readonly error: TcpProxyError;
    };

/**
 * A local TCP port that leads to a port of a provider in a VPN: each connection to it is bridged
 * to yagna's websocket of a TCP connection to `ip:port` in the network (net API v2,
 * `…/net/{id}/tcp/{ip}/{port}`, the app key as a Bearer header). Node only (`golem-rx/net`).
 *
 * Listens on 127.0.0.1 by default. A failure of one connection closes it and is a `failed` event
 * of `events$`; the others go on. Closed by `close()` (or `await using`), and when its network is
 * removed (`network.remove()`, `node.close()`).
 *
 * @example
 * ```ts
 * await using proxy = await createTcpProxy(network, agreement, 80);
 * const page = await fetch(`http://127.0.0.1:${proxy.port}/`);
 * ```
 */
export class TcpProxy implements AsyncDisposable {
  /** The network it leads into. */
  readonly network: Network;
  /** The IP in the network and the port it leads to. */
  readonly ip: string;
  readonly remotePort: number;
  /** The connections' events (see {@link TcpProxyEvent}); hot, completes when the proxy has closed. */
  readonly events$: Observable<TcpProxyEvent>;

  private readonly options: Required<Omit<TcpProxyOptions, 'scheduler'>> & { scheduler: SchedulerLike };
  private readonly events = new Subject<TcpProxyEvent>();
  private readonly bridges = new Map<number, () => void>();
  private readonly server: Server;
  private count = 0;
  private listening: Promise<this> | undefined;
  private closing: Promise<void> | undefined;
  private serverClosed = false;
  private finishClose: (() => void) | undefined;
  private watch: Subscription | undefined;

  /**
   * @param network the network
   * @param target the provider (its node, node id, agreement or activity) or an IP of the network
   * @param port the port on the provider (1–65535)
   * @param options see {@link TcpProxyOptions}
   * @throws {RangeError} for a port out of range; {@link NetworkError} `notMember` for a provider
   *   not in the network, `removed` for a removed network
   */
  constructor(network: Network, target: NetworkMember, port: number, options: TcpProxyOptions = {}) {
    checkPort(port, 'port on the provider');
    if (options.port !== undefined) checkPort(options.port, 'local port', 0);
    this.network = network;
    this.ip = targetIp(network, target);
    this.remotePort = port;
    this.options = {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      heartbeatMs: options.heartbeatMs ?? 10_000,
      scheduler: options.scheduler ?? asyncScheduler,
    };
    this.events$ = this.events.asObservable();
    this.server = createServer((socket) => this.accept(socket));
  }

  /** The local port (after `listen()`; `0` before). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** The local address, `host:port` (after `listen()`). */
  get address(): string {
    return `${this.options.host}:${this.port}`;
  }

  /** Connections open now. */
  get connections(): number {
    return this.bridges.size;
  }

  /**
   * Starts listening. Idempotent.
   * @returns the proxy, once it listens
   * @throws {TcpProxyError} `listen` when the server cannot listen, `closed` after `close()` or
   *   when the network is removed
   */
  listen(): Promise<this> {
    this.listening ??= new Promise<this>((resolve, reject) => {
      if (this.closing !== undefined || this.network.closed) {
        reject(
          this.error('closed', this.network.closed ? 'the network has been removed' : 'the proxy is closed'),
        );
        return;
      }
      const failed = (cause: Error): void => reject(this.error('listen', cause.message, { cause }));
      this.server.once('error', failed);
      this.server.listen({ port: this.options.port, host: this.options.host }, () => {
        this.server.off('error', failed);
        this.watch = this.network.closed$.subscribe(() => void this.close());
        resolve(this);
      });
    });
    return this.listening;
  }

  /**
   * Stops listening and closes every connection. Idempotent.
   * @returns resolves once the server and every connection have closed
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.watch?.unsubscribe();
      this.finishClose = () => {
        if (!this.serverClosed || this.bridges.size > 0) return;
        this.events.complete();
        resolve();
      };
      for (const closeBridge of [...this.bridges.values()]) closeBridge();
      if (!this.server.listening) {
        this.serverClosed = true;
        this.finishClose();
        return;
      }
      this.server.close(() => {
        this.serverClosed = true;
        this.finishClose?.();
      });
    });
    return this.closing;
  }

  /** `await using proxy = …` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private accept(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const connection = ++this.count;
    const close = openBridge(socket, {
      url: this.network.api.tcpUrl(this.network.id, this.ip, this.remotePort),
      appKey: this.network.api.config.appKey,
      heartbeatMs: this.options.heartbeatMs,
      scheduler: this.options.scheduler,
      opened: () => this.events.next({ type: 'opened', connection }),
      ended: (end) => this.ended(connection, end),
    });
    this.bridges.set(connection, close);
  }

  private ended(connection: number, { sent, received, failure }: BridgeEnd): void {
    this.bridges.delete(connection);
    if (failure === undefined) {
      this.events.next({ type: 'closed', connection, sent, received });
    } else {
      const { operation, message, status, cause } = failure;
      const error = this.error(operation, message, { status, connection, cause });
      this.events.next({ type: 'failed', connection, sent, received, error });
    }
    this.finishClose?.();
  }

  private error(
    operation: TcpProxyError['context']['operation'],
    message: string,
    extra: { status?: number; connection?: number; cause?: unknown } = {},
  ): TcpProxyError {
    const { config } = this.network.api;
    const secrets = secretsOf(config.appKey, [config.apiUrl]);
    const context = {
      operation,
      networkId: this.network.id,
      ip: this.ip,
      port: this.remotePort,
      ...(extra.status === undefined ? {} : { status: extra.status }),
      ...(extra.connection === undefined ? {} : { connection: extra.connection }),
    };
    const cause = extra.cause === undefined ? undefined : scrubError(extra.cause, secrets);
    return new TcpProxyError(context, redactText(message, secrets), cause === undefined ? {} : { cause });
  }
}

/**
 * Creates a {@link TcpProxy} and starts it listening.
 *
 * @param network the network
 * @param target the provider (its node, node id, agreement or activity) or an IP of the network
 * @param port the port on the provider
 * @param options see {@link TcpProxyOptions}
 * @returns the proxy, once it listens (read `proxy.port`)
 * @throws {TcpProxyError} `listen` or `closed`; {@link NetworkError} `notMember` or `removed`
 * @example
 * ```ts
 * const proxy = await createTcpProxy(network, agreement, 7);
 * const socket = connect(proxy.port, '127.0.0.1');
 * ```
 */
export async function createTcpProxy(
  network: Network,
  target: NetworkMember,
  port: number,
  options?: TcpProxyOptions,
): Promise<TcpProxy> {
  return new TcpProxy(network, target, port, options).listen();
}

function checkPort(port: number, what: string, min = 1): void {
  if (!Number.isInteger(port) || port < min || port > 65_535) {
    throw new RangeError(
      `TcpProxy: the ${what} must be an integer from ${min} to 65535, got ${String(port)}`,
    );
  }
}

/** An IP of the network given as is, or the IP of the node `target` names. */
function targetIp(network: Network, target: NetworkMember): string {
  if (network.closed) {
    throw new NetworkError(
      { code: 'removed', networkId: network.id },
      `Network ${network.id} has been removed`,
    );
  }
  const ip = typeof target === 'string' ? parseIpv4(target) : undefined;
  if (ip !== undefined) return formatIpv4(ip);
  const node = network.nodeOf(target);
  if (node === undefined) {
    const nodeId = typeof target === 'string' ? target : undefined;
    throw new NetworkError(
      { code: 'notMember', networkId: network.id, ...(nodeId === undefined ? {} : { nodeId }) },
      `The TCP proxy's target is not in network ${network.id}`,
    );
  }
  return node.ip;
}
