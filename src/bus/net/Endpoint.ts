import type { Socket } from 'node:net';
import type { Subscription } from 'rxjs';
import type { GolemRxError } from '../../errors/GolemRxError.js';
import { Dialer } from './Dialer.js';
import { EndpointMessaging } from './EndpointMessaging.js';
import { BusConfigError } from './errors/BusConfigError.js';
import { ConnectionRejectedError } from './errors/ConnectionRejectedError.js';
import { EndpointClosedError } from './errors/EndpointClosedError.js';
import type { NatsEndpoint, NatsEndpointConfig } from './nats/NatsEndpoint.js';
import { resolveOptions, type EndpointOptions } from './options.js';
import { Peer, type PeerHost } from './Peer.js';
import {
  connectionConfigFromName,
  listenUnix,
  type ConnectionConfig,
  type UnixServer,
} from './unixServer.js';
import type { DirectReads } from './wire/DirectReads.js';
import { ENDPOINT_NAME_PATTERN, type HelloFrame } from './wire/frames.js';

/** What `Endpoint.serve` takes: the endpoint's name, optionally its socket path, and options. */
export interface ServeConfig extends EndpointOptions {
  readonly name: string;
  /** Where to listen. @default `connectionConfigFromName(name).path` */
  readonly path?: string;
}

/**
 * One process's end of the cross-process event bus (lahja's API in RxJS form). An endpoint
 * talks to the endpoints it is connected to, in either direction, over Unix domain sockets
 * carrying length-prefixed JSON frames.
 *
 * - `Endpoint.serve({ name })` listens (socket mode 0600, removed on close);
 *   `new Endpoint(name).run()` is a client that only dials out.
 * - `connectToEndpoints(...configs)` dials, retrying until the socket appears, and redials
 *   after a drop (subscriptions sent again).
 * - Events: `broadcast`, `broadcastNowait`, `subscribe`, `stream` (an Observable), `waitFor`,
 *   `request`. Routing: `BroadcastConfig`. Subscriptions: advertised to peers, queried and
 *   awaited with `isEndpointSubscribedTo`, `waitUntilAnyEndpointSubscribedTo`, etc.
 * - Non-fatal failures: `errors$`. `close()` (or `await using`) ends everything.
 *
 * @example
 * ```ts
 * await using server = await Endpoint.serve({ name: 'e1', path });
 * await using client = await new Endpoint('e2').run();
 * await client.connectToEndpoints({ name: 'e1', path });
 * await client.subscribe(Ping, (ping) => console.log(ping.n));
 * await server.broadcast(new Ping(1));
 * ```
 */
export class Endpoint extends EndpointMessaging implements AsyncDisposable {
  private server: UnixServer | undefined;
  private readonly dialers = new Map<string, Dialer>();
  private registryChanges: Subscription | undefined;
  private readonly host: PeerHost;

  /** Create an endpoint; call `run()` (or use `Endpoint.serve`) before anything else. */
  constructor(name: string, options: EndpointOptions = {}) {
    if (!ENDPOINT_NAME_PATTERN.test(name)) {
      throw new BusConfigError(
        { setting: 'name' },
        `Invalid endpoint name ${JSON.stringify(name)}: use letters, digits and ._-`,
      );
    }
    const resolved = resolveOptions(options);
    super(name, resolved);
    this.host = {
      localName: name,
      maxFrameBytes: resolved.maxFrameBytes,
      handshakeTimeout: resolved.handshakeTimeout,
      limits: {
        highWaterMark: resolved.peerHighWaterMark,
        nowaitMaxFrames: resolved.nowaitQueue.maxFrames,
        nowaitMaxBytes: resolved.nowaitQueue.maxBytes,
        overflow: resolved.nowaitQueue.overflow,
        slowPeerTimeout: resolved.slowPeerTimeout,
        scheduler: resolved.scheduler,
      },
      currentSubscriptions: () => this.currentSubscriptions(),
      admit: (peer, hello) => this.admit(peer, hello),
      opened: (peer) => {
        this.peers.set(peer.name, peer);
        this.publishRemotes();
      },
      subscriptionsChanged: (peer) => {
        if (this.peers.get(peer.name) === peer) this.publishRemotes();
      },
      event: (peer, frame) => this.receive(peer, frame),
      noResponder: (peer, requestId) => this.pending.noResponder(requestId, peer.name),
      closed: (peer, cause) => this.peerClosed(peer, cause),
      reportError: (error) => this.reportError(error),
    };
  }

  /** Create, run and serve an endpoint in one call. */
  static async serve(config: ServeConfig): Promise<Endpoint> {
    const { name, path, ...options } = config;
    const endpoint = new Endpoint(name, options);
    await endpoint.run();
    try {
      await endpoint.startServer(path ?? connectionConfigFromName(name).path);
    } catch (err) {
      await endpoint.close();
      throw err;
    }
    return endpoint;
  }

  /**
   * Create and run an endpoint on NATS instead of Unix sockets: the same API, between processes
   * on any hosts that reach the NATS server (see docs/bus.md, "Over NATS"). Endpoints on the
   * same `subjectPrefix` find each other by themselves; `connectToEndpoints` waits for names.
   * Loads the optional peer `@nats-io/transport-node` on first use.
   *
   * @throws {NatsConnectionError} (rejects) the servers cannot be reached or refuse the credentials
   * @throws {ConnectionRejectedError} (rejects) another endpoint on the bus has the name
   * @throws {BusConfigError} (rejects) a bad name, `subjectPrefix` or `heartbeatInterval`
   *
   * @example
   * ```ts
   * await using ep = await Endpoint.connectNats({ name: 'e1', servers: 'nats://10.0.0.5:4222', token });
   * await ep.connectToEndpoints({ name: 'e2', path: '' }); // waits until e2 is on the bus
   * ```
   */
  static async connectNats(config: NatsEndpointConfig): Promise<NatsEndpoint> {
    const { NatsEndpoint } = await import('./nats/NatsEndpoint.js');
    return NatsEndpoint.start(config);
  }

  /** Is the endpoint running (after `run()`, before `close()`)? */
  get isRunning(): boolean {
    return this.lifecycle === 'running';
  }

  /** Is it listening for connections? */
  get isServing(): boolean {
    return this.server !== undefined;
  }

  /** The path it listens on, if serving. */
  get ipcPath(): string | undefined {
    return this.server?.path;
  }

  /** How others reach this endpoint (only while serving). */
  get connectionConfig(): ConnectionConfig | undefined {
    return this.server === undefined ? undefined : { name: this.name, path: this.server.path };
  }

  /** Start the endpoint (client only: it dials out but does not listen). */
  async run(): Promise<this> {
    if (this.lifecycle !== 'idle') {
      throw this.lifecycle === 'closed'
        ? this.notRunning('run')
        : new BusConfigError({ setting: 'lifecycle' }, `Endpoint ${this.name} is already running`);
    }
    this.lifecycle = 'running';
    this.registryChanges = this.options.registry.changes$.subscribe({
      next: () => this.refreshSubscriptions(),
    });
    return this;
  }

  /** Listen on a Unix socket at `path` (mode 0600; a stale socket file is replaced). */
  async startServer(path: string): Promise<void> {
    this.assertRunning('startServer');
    if (this.server !== undefined) {
      throw new BusConfigError(
        { setting: 'path' },
        `Endpoint ${this.name} already serves ${this.server.path}`,
      );
    }
    const server = await listenUnix(path, (socket) => this.accept(socket));
    if (this.lifecycle !== 'running') {
      await server.close();
      throw this.notRunning('startServer');
    }
    this.server = server;
  }

  /**
   * Connect to endpoints, resolving once every handshake completed (their subscriptions are
   * then known). Keeps dialling while a socket does not exist yet, up to `connectTimeout`.
   * Rejects with `ConnectionRejectedError` for a name already connected (or listed twice) or
   * refused by the remote, `BusTimeoutError` when the timeout elapses.
   */
  async connectToEndpoints(...configs: ConnectionConfig[]): Promise<void> {
    this.assertRunning('connectToEndpoints');
    const seen = new Set<string>();
    for (const { name } of configs) {
      if (seen.has(name) || this.dialers.has(name) || this.peers.has(name) || name === this.name) {
        throw new ConnectionRejectedError({ endpoint: name, reason: 'already connected, or listed twice' });
      }
      seen.add(name);
    }
    await Promise.all(
      configs.map(async (config) => {
        const dialer = new Dialer(config, {
          localName: this.name,
          options: this.options,
          openPeer: (socket, name, onHandshake, reads) =>
            this.attach(socket, 'outbound', name, onHandshake, reads),
          reportError: (error) => this.reportError(error),
        });
        this.dialers.set(config.name, dialer);
        try {
          await dialer.connect();
        } catch (err) {
          dialer.stop(this.notRunning('connectToEndpoints'));
          if (this.dialers.get(config.name) === dialer) this.dialers.delete(config.name);
          throw err;
        }
      }),
    );
  }

  /**
   * Stop: reject pending requests and waits (`EndpointClosedError`), complete streams, close
   * every connection (queued frames are dropped; what the sockets hold is flushed), stop
   * listening and remove the socket file. Idempotent.
   */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    this.registryChanges?.unsubscribe();
    for (const dialer of this.dialers.values()) dialer.stop(this.notRunning('connectToEndpoints'));
    this.dialers.clear();
    this.pending.rejectAll(
      (id) => new EndpointClosedError({ endpoint: this.name, operation: `request ${id}`, state: 'closed' }),
    );
    this.handlers.completeAll();
    const peers = [...this.livePeers];
    for (const peer of peers) peer.end();
    const server = this.server;
    this.server = undefined;
    await Promise.all([...peers.map((p) => p.whenClosed), server?.close()]);
    this.completeState();
  }

  /** `await using endpoint = ...` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private accept(socket: Socket): void {
    if (this.lifecycle !== 'running') {
      socket.destroy();
      return;
    }
    this.attach(socket, 'inbound');
  }

  private attach(
    socket: Socket,
    direction: 'inbound' | 'outbound',
    name?: string,
    onHandshake?: (error?: GolemRxError) => void,
    reads?: DirectReads,
  ): Peer {
    const peer = new Peer(socket, direction, this.host, name, onHandshake, reads);
    if (!peer.isClosed) this.livePeers.add(peer);
    return peer;
  }

  private admit(peer: Peer, hello: HelloFrame): string | undefined {
    if (this.lifecycle !== 'running') return `endpoint ${this.name} is closing`;
    if (hello.name === this.name) return `the name ${hello.name} is this endpoint's own`;
    const existing = this.peers.get(hello.name);
    if (existing !== undefined && existing !== peer) return `endpoint ${hello.name} is already connected`;
    if (peer.direction === 'inbound' && this.dialers.has(hello.name)) {
      return `endpoint ${this.name} dials ${hello.name} itself`;
    }
    return undefined;
  }

  private peerClosed(peer: Peer, cause: GolemRxError | undefined): void {
    this.livePeers.delete(peer);
    if (this.peers.get(peer.name) !== peer) return;
    this.peers.delete(peer.name);
    this.publishRemotes();
    this.pending.disconnected(peer.name, cause);
    if (this.lifecycle === 'running') this.dialers.get(peer.name)?.dropped();
  }
}
