import { randomBytes } from 'node:crypto';
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { EMPTY, interval, type Observable, type Subscription } from 'rxjs';
import { GolemRxError } from '../../../errors/GolemRxError.js';
import { connectNats, type NatsLink } from '../../../nats/connect.js';
import type { NatsConnectionOptions, NatsHealth } from '../../../nats/options.js';
import { Endpoint } from '../Endpoint.js';
import { BusConfigError } from '../errors/BusConfigError.js';
import { ConnectionRejectedError } from '../errors/ConnectionRejectedError.js';
import { FrameError } from '../errors/FrameError.js';
import type { EndpointOptions } from '../options.js';
import type { ConnectionConfig } from '../unixServer.js';
import { PROTOCOL_VERSION, type Frame } from '../wire/frames.js';
import { NatsInbound } from './NatsInbound.js';
import type { NatsPeer, NatsPeerHost } from './NatsPeer.js';
import { NatsRemotes, isNoResponders, messageOf } from './NatsRemotes.js';
import { NatsWire } from './NatsWire.js';
import { decodePresence, encodePresence, type Presence, type PresenceMessage } from './presence.js';
import { BusSubjects, DEFAULT_SUBJECT_PREFIX, SUBJECT_PREFIX_PATTERN } from './subjects.js';

/**
 * What `Endpoint.connectNats` takes: the endpoint's name, the NATS servers and credentials
 * ({@link NatsConnectionOptions}), the endpoint's options, and the bus's own settings on NATS.
 */
export interface NatsEndpointConfig
  extends Omit<EndpointOptions, 'reconnect' | 'slowPeerTimeout'>, Omit<NatsConnectionOptions, 'name'> {
  /** The endpoint's name, unique among the endpoints on the bus (its subject prefix). */
  readonly name: string;
  /**
   * The bus's subjects start with this: endpoints talk when they share it, so several buses can
   * share one NATS server. Dot-separated tokens of letters, digits, `_` and `-`.
   * @default 'golem-rx.bus'
   */
  readonly subjectPrefix?: string;
  /**
   * Milliseconds between this endpoint's heartbeats. Another endpoint that hears nothing of it
   * for three of them asks NATS whether it is still there, and disconnects it when it is not (a
   * process that died without closing) or does not answer within `handshakeTimeout`.
   * @default 1000
   */
  readonly heartbeatInterval?: number;
  /** The NATS connection's name, as the server shows it. @default `golem-rx bus <name>` */
  readonly connectionName?: string;
}

/** The default of {@link NatsEndpointConfig.heartbeatInterval}. */
export const DEFAULT_HEARTBEAT_INTERVAL = 1_000;

/**
 * An endpoint of the bus on NATS instead of Unix sockets: the same API (broadcast, subscribe,
 * stream, waitFor, request, `BroadcastConfig`, connection and subscription state, `errors$`) and
 * the same frames, between processes on any hosts that reach the NATS server. Create it with
 * `Endpoint.connectNats({ name, servers })`; see docs/bus.md, "Over NATS".
 *
 * Endpoints find each other by presence: each announces itself on `<prefix>.p.<name>` when it
 * starts, then every `heartbeatInterval`, and says goodbye when it closes; whoever hears of a new
 * endpoint sends it a `hello` (the handshake of the socket protocol, acknowledged both ways).
 * An endpoint silent for three of its heartbeat intervals is asked whether it is still there (a
 * request on its name's subject): it is disconnected when NATS answers that nobody holds the
 * name (its process died) or when it does not answer in time. When this endpoint's
 * NATS connection drops, every remote is disconnected at once (pending requests reject with
 * `RemoteDisconnectedError`); once the client has reconnected, the endpoint announces itself
 * again under a new epoch and every remote shakes hands anew (subscriptions sent again).
 */
export class NatsEndpoint extends Endpoint {
  private link: NatsLink | undefined;
  private wire: NatsWire | undefined;
  private inbound: NatsInbound | undefined;
  private natsRemotes: NatsRemotes | undefined;
  private readonly inst = randomBytes(8).toString('hex');
  private epoch = 0;
  /** The NATS connection is down (between losing it and the client's reconnection). */
  private down = false;
  private heartbeats: Subscription | undefined;
  /** When the last heartbeat ran (the scheduler's clock). */
  private lastBeat = 0;
  private healthWatch: Subscription | undefined;

  private constructor(
    name: string,
    options: EndpointOptions,
    private readonly subjects: BusSubjects,
    private readonly heartbeatMs: number,
  ) {
    super(name, options);
  }

  /** Create, run and connect an endpoint on NATS (what `Endpoint.connectNats` does). */
  static async start(config: NatsEndpointConfig): Promise<NatsEndpoint> {
    const {
      name,
      subjectPrefix = DEFAULT_SUBJECT_PREFIX,
      heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL,
      connectionName,
      servers,
      token,
      nkeySeed,
      user,
      pass,
      reconnect,
      maxReconnectAttempts,
      reconnectTimeWaitMs,
      timeoutMs,
      ...options
    } = config;
    if (!SUBJECT_PREFIX_PATTERN.test(subjectPrefix)) {
      throw new BusConfigError(
        { setting: 'subjectPrefix' },
        `Invalid NATS subject prefix ${JSON.stringify(subjectPrefix)}: dot-separated tokens of letters, digits, _ and -`,
      );
    }
    if (!Number.isSafeInteger(heartbeatInterval) || heartbeatInterval <= 0 || heartbeatInterval > 3_600_000) {
      throw new BusConfigError(
        { setting: 'heartbeatInterval' },
        `Invalid heartbeatInterval ${String(heartbeatInterval)}: a whole number of ms, at most an hour`,
      );
    }
    const endpoint = new NatsEndpoint(name, options, new BusSubjects(subjectPrefix), heartbeatInterval);
    await endpoint.run();
    try {
      await endpoint.attachNats({
        servers,
        token,
        nkeySeed,
        user,
        pass,
        reconnect,
        maxReconnectAttempts,
        reconnectTimeWaitMs,
        timeoutMs,
        name: connectionName ?? `golem-rx bus ${name}`,
      });
    } catch (err) {
      await endpoint.close();
      throw err;
    }
    return endpoint;
  }

  /**
   * The NATS connection's health (hot; replays the latest report): `unreachable` per failed
   * reconnection attempt, `recovered` once back, `closed` at the end.
   */
  get natsHealth$(): Observable<NatsHealth> {
    return this.link?.health$ ?? EMPTY;
  }

  /** The NATS servers, credentials masked. */
  get natsServers(): readonly string[] {
    return this.link?.servers ?? [];
  }

  /** The prefix of the bus's subjects. */
  get subjectPrefix(): string {
    return this.subjects.prefix;
  }

  /** An endpoint on NATS does not listen on a socket: rejects with `BusConfigError`. */
  override async startServer(path: string): Promise<void> {
    this.assertRunning('startServer');
    throw new BusConfigError(
      { setting: 'path' },
      `Endpoint ${this.name} is on NATS: others reach it by its name there, not at ${path}`,
    );
  }

  /**
   * Resolves once every named endpoint is connected (found on the bus, handshake complete, its
   * subscriptions known); the paths are not used. Rejects with `BusTimeoutError` after
   * `connectTimeout`, `ConnectionRejectedError` for this endpoint's own name.
   */
  override async connectToEndpoints(...configs: ConnectionConfig[]): Promise<void> {
    this.assertRunning('connectToEndpoints');
    const own = configs.find((c) => c.name === this.name);
    if (own !== undefined) {
      throw new ConnectionRejectedError({ endpoint: own.name, reason: "the name is this endpoint's own" });
    }
    await Promise.all(
      configs.map((c) => this.waitUntilConnectedTo(c.name, { timeout: this.options.connectTimeout })),
    );
  }

  /**
   * Stop: tell the other endpoints (`bye`), then what `Endpoint.close` does, then drain and close
   * the NATS connection. Idempotent.
   */
  override async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.heartbeats?.unsubscribe();
    this.healthWatch?.unsubscribe();
    if (this.lifecycle === 'running' && this.wire !== undefined && !this.down) {
      for (const peer of this.natsRemotes?.all() ?? []) this.wire.flushSubject(peer.subject);
      this.publishPresence({ k: 'bye', v: PROTOCOL_VERSION, inst: this.inst, ep: this.epoch });
    }
    await super.close();
    this.wire?.close();
    await this.link?.close();
  }

  private async attachNats(natsOptions: NatsConnectionOptions): Promise<void> {
    const link = await connectNats(natsOptions, this.options.scheduler);
    this.link = link;
    if (this.lifecycle !== 'running') throw this.notRunning('connectNats');
    const connection = link.connection;
    const wire = new NatsWire(
      connection,
      {
        highWaterMark: this.options.peerHighWaterMark,
        nowaitMaxFrames: this.options.nowaitQueue.maxFrames,
        nowaitMaxBytes: this.options.nowaitQueue.maxBytes,
        overflow: this.options.nowaitQueue.overflow,
      },
      (error) => this.reportError(error),
      (subject) => this.subjects.addressee(subject) ?? this.name,
    );
    this.wire = wire;
    this.inbound = new NatsInbound(
      this.options.maxFrameBytes,
      (from, frame) => this.onFrame(from, frame),
      (error) => this.reportError(error),
    );
    const peerHost: NatsPeerHost = {
      localName: this.name,
      wire,
      scheduler: this.options.scheduler,
      presence: () => this.presence(),
      currentSubscriptions: () => this.currentSubscriptions(),
      opened: (peer) => {
        this.peers.set(peer.name, peer);
        this.publishRemotes();
      },
      subscriptionsChanged: (peer) => {
        if (this.peers.get(peer.name) === peer) this.publishRemotes();
      },
      event: (peer, frame) => this.receive(peer, frame),
      noResponder: (peer, requestId) => this.pending.noResponder(requestId, peer.name),
      closed: (peer, cause) => this.natsPeerClosed(peer, cause),
      reportError: (error) => this.reportError(error),
    };
    this.natsRemotes = new NatsRemotes({
      localName: this.name,
      inst: this.inst,
      subjects: this.subjects,
      wire,
      peerHost,
      scheduler: this.options.scheduler,
      heartbeatMs: this.heartbeatMs,
      handshakeTimeout: this.options.handshakeTimeout,
      attached: (peer) => this.livePeers.add(peer),
      request: (subject, timeoutMs) => connection.request(subject, undefined, { timeout: timeoutMs }),
      mask: (text) => link.mask(text),
      reportError: (error) => this.reportError(error),
    });
    await this.claimName(connection);
    connection.subscribe(this.subjects.claim(this.name), {
      callback: (err, msg) => this.guarded(err, msg, () => msg.respond(encodePresence(this.here())), true),
    });
    connection.subscribe(this.subjects.inbox(this.name), {
      callback: (err, msg) => this.guarded(err, msg, () => this.onMessage(msg)),
    });
    connection.subscribe(this.subjects.allPresence, {
      callback: (err, msg) => this.guarded(err, msg, () => this.onPresence(msg)),
    });
    await connection.flush();
    if (this.lifecycle !== 'running') throw this.notRunning('connectNats');
    this.healthWatch = link.health$.subscribe({ next: (health) => this.onHealth(health) });
    this.lastBeat = this.options.scheduler.now();
    this.heartbeats = interval(this.heartbeatMs, this.options.scheduler).subscribe({
      next: () => this.beat(),
    });
    this.publishPresence(this.here());
  }

  /** Refuse to start under a name another endpoint on the bus answers to. */
  private async claimName(connection: NatsConnection): Promise<void> {
    try {
      await connection.request(this.subjects.claim(this.name), undefined, {
        timeout: this.options.handshakeTimeout,
      });
    } catch (err) {
      if (isNoResponders(err)) return;
      throw new ConnectionRejectedError(
        {
          endpoint: this.name,
          reason: `could not make sure the name is free on NATS: ${this.link?.mask(messageOf(err)) ?? ''}`,
        },
        { cause: err },
      );
    }
    throw new ConnectionRejectedError({
      endpoint: this.name,
      reason: `another endpoint on the NATS bus ${this.subjects.prefix} has this name`,
    });
  }

  private presence(): Presence {
    return { inst: this.inst, ep: this.epoch, hb: this.heartbeatMs };
  }

  private here(): PresenceMessage {
    return { k: 'here', v: PROTOCOL_VERSION, ...this.presence() };
  }

  private publishPresence(message: PresenceMessage): void {
    this.wire?.publish(this.subjects.presence(this.name), encodePresence(message));
  }

  /**
   * Run a NATS subscription's handler: a subscription error (a permission refused) is reported,
   * and nothing the handler throws may reach the client (it would stop reading). While the
   * connection is down (until the endpoint has announced itself again) messages are ignored.
   */
  private guarded(err: Error | null, msg: Msg, handle: () => void, whileDown = false): void {
    if (err !== null) {
      this.reportError(
        new ConnectionRejectedError(
          { endpoint: this.name, reason: `NATS: ${this.link?.mask(err.message) ?? err.name}` },
          { cause: err },
        ),
      );
      return;
    }
    if (this.lifecycle !== 'running' || (this.down && !whileDown)) return;
    try {
      handle();
    } catch (cause) {
      this.reportError(
        new FrameError(
          { kind: 'protocol', direction: 'in' },
          `a NATS message on ${msg.subject} could not be handled`,
          { cause },
        ),
      );
    }
  }

  private onMessage(msg: Msg): void {
    const from = this.subjects.lastName(msg.subject);
    if (from === undefined) {
      this.reportError(
        new FrameError({ kind: 'invalid-frame', direction: 'in' }, `${msg.subject} names no sender`),
      );
      return;
    }
    this.inbound!.push(from, msg.data);
  }

  private onPresence(msg: Msg): void {
    const from = this.subjects.lastName(msg.subject);
    const message = decodePresence(msg.data);
    if (from === undefined || typeof message === 'string') {
      this.reportError(
        new FrameError(
          { kind: 'invalid-frame', direction: 'in', ...(from === undefined ? {} : { peer: from }) },
          typeof message === 'string' ? message : `${msg.subject} names no endpoint`,
        ),
      );
      return;
    }
    this.natsRemotes!.onPresence(from, message);
  }

  private onFrame(from: string, frame: Frame): void {
    if (this.lifecycle !== 'running' || this.down) return;
    this.natsRemotes!.onFrame(from, frame);
  }

  private natsPeerClosed(peer: NatsPeer, cause: GolemRxError | undefined): void {
    this.livePeers.delete(peer);
    this.natsRemotes?.closed(peer, cause);
    this.inbound?.forget(peer.name);
    if (this.peers.get(peer.name) !== peer) return;
    this.peers.delete(peer.name);
    this.publishRemotes();
    this.pending.disconnected(peer.name, cause);
  }

  /**
   * A heartbeat: announce this endpoint, and ask the remotes silent for too long whether they are
   * still there. A heartbeat that runs late (this process was busy, and what the remotes sent
   * meanwhile may still wait in the socket) judges nobody: the next one does.
   */
  private beat(): void {
    if (this.lifecycle !== 'running' || this.down) return;
    this.publishPresence(this.here());
    const now = this.options.scheduler.now();
    const late = now - this.lastBeat > 2 * this.heartbeatMs;
    this.lastBeat = now;
    if (late) return;
    this.natsRemotes!.sweep(now);
  }

  private onHealth(health: NatsHealth): void {
    if (this.lifecycle !== 'running') return;
    switch (health.kind) {
      case 'unreachable':
        this.lost(health.error);
        return;
      case 'recovered':
        this.lost(new Error('NATS connection lost'));
        this.down = false;
        this.epoch++;
        this.publishPresence(this.here());
        return;
      case 'closed':
        if (health.error !== undefined) {
          this.reportError(
            health.error instanceof GolemRxError
              ? health.error
              : new ConnectionRejectedError(
                  { endpoint: this.name, reason: 'the NATS connection ended' },
                  { cause: health.error },
                ),
          );
        }
        void this.close();
    }
  }

  /** The NATS connection dropped: every remote is disconnected, and what was in flight is gone. */
  private lost(cause: unknown): void {
    if (this.down) return;
    this.down = true;
    this.wire?.reset();
    this.inbound?.clear();
    this.natsRemotes?.dropAll(cause);
  }
}
