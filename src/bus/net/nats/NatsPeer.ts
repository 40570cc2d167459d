import type { SchedulerLike } from 'rxjs';
import type { GolemRxError } from '../../../errors/GolemRxError.js';
import { ConnectionRejectedError } from '../errors/ConnectionRejectedError.js';
import { FrameError } from '../errors/FrameError.js';
import type { NowaitResult } from '../SendQueue.js';
import { encodeFrame, wholeFrame, type EncodedFrame } from '../wire/codec.js';
import type { EventFrame, Frame, HelloFrame } from '../wire/frames.js';
import { natsHello, type HelloSession, type Presence, type Session } from './presence.js';
import type { NatsWire } from './NatsWire.js';

/** A remote is gone once it has sent nothing for this many of its heartbeat intervals. */
export const MISSED_HEARTBEATS = 3;

/** What a {@link NatsPeer} needs from its endpoint. */
export interface NatsPeerHost {
  readonly localName: string;
  readonly wire: NatsWire;
  readonly scheduler: SchedulerLike;
  /** This endpoint's session and heartbeat interval, for `hello`. */
  presence(): Presence;
  /** The current subscription set and its sequence number, for `hello`. */
  currentSubscriptions(): { readonly seq: number; readonly subs: readonly string[] };
  opened(peer: NatsPeer): void;
  subscriptionsChanged(peer: NatsPeer): void;
  event(peer: NatsPeer, frame: EventFrame): void;
  noResponder(peer: NatsPeer, requestId: string): void;
  closed(peer: NatsPeer, cause: GolemRxError | undefined): void;
  reportError(error: GolemRxError): void;
}

/**
 * One remote endpoint on NATS, as the endpoint sees it: the handshake (`hello` both ways, each
 * acknowledged), the remote's subscriptions and session, our acknowledgement bookkeeping, and
 * when it was last heard of. There is no connection of its own: frames go to the remote's
 * subject on the endpoint's one NATS connection.
 */
export class NatsPeer {
  private state: 'handshake' | 'open' | 'closed' = 'handshake';
  private ackedSeq = -1;
  private ackWaiters: { seq: number; resolve: () => void }[] = [];
  /** The event types the remote subscribes to. */
  remoteTypes: ReadonlySet<string> = new Set();
  /** The remote's session, once it said. */
  session: Session | undefined;
  /** The remote's heartbeat interval, once it said. */
  private heartbeat: number | undefined;
  /** When a message of the remote's last arrived (the host scheduler's clock). */
  private lastSeen: number;
  /** A question whether it is still there is under way (see `NatsEndpoint`). */
  probing = false;
  /** When the handshake started. */
  readonly since: number;
  /** Where frames to the remote go. */
  readonly subject: string;
  private markClosed!: () => void;
  /** Resolves when the peer has closed. */
  readonly whenClosed: Promise<void> = new Promise((resolve) => {
    this.markClosed = resolve;
  });

  /**
   * Start a handshake: our `hello` goes out at once. `answer` marks it as the answer to the
   * remote's (which then does not answer it).
   */
  constructor(
    /** The remote endpoint's name. */
    readonly name: string,
    subject: string,
    private readonly host: NatsPeerHost,
    session: Presence | undefined,
    answer: boolean,
  ) {
    this.subject = subject;
    this.session = session;
    this.heartbeat = session?.hb;
    this.since = this.lastSeen = host.scheduler.now();
    this.sendHello(answer);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Send an event frame, waiting under backpressure. */
  send(frame: EncodedFrame): Promise<void> | undefined {
    return this.state === 'closed' ? undefined : this.host.wire.send(this.subject, frame);
  }

  /** Send an event frame without waiting (bounded, by the overflow policy). */
  sendNowait(frame: EncodedFrame): NowaitResult {
    return this.state === 'closed' ? 'queued' : this.host.wire.sendNowait(this.subject, frame);
  }

  /** Would a nowait frame of this size overflow? */
  wouldOverflow(size: number): boolean {
    return this.host.wire.wouldOverflow(size);
  }

  /** Send our new subscription set (our `hello` carried the earlier ones). */
  sendSubscriptions(seq: number, subs: readonly string[]): void {
    this.sendFrame({ k: 'subs', seq, subs });
  }

  /** Send a control frame (ack, nores, subs). */
  sendFrame(frame: Frame): void {
    if (this.state === 'closed') return;
    // The Promise only signals backpressure (it never rejects); control frames do not wait for it.
    void this.host.wire.send(this.subject, wholeFrame(encodeFrame(frame, Number.MAX_SAFE_INTEGER)));
  }

  /** Send our `hello`; `answer`: it answers the remote's. */
  sendHello(answer: boolean): void {
    this.sendFrame(
      natsHello(this.host.localName, this.host.currentSubscriptions(), this.host.presence(), answer),
    );
  }

  /** Resolves once the remote acknowledged our subscriptions up to `seq`, or the peer closed. */
  waitForAck(seq: number): Promise<void> {
    if (this.ackedSeq >= seq || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ seq, resolve }));
  }

  /** The remote was heard of now (any message, or its presence). */
  touch(heartbeat?: number): void {
    this.lastSeen = this.host.scheduler.now();
    if (heartbeat !== undefined) this.heartbeat = heartbeat;
  }

  /**
   * Has the remote been silent too long: for `MISSED_HEARTBEATS` of its heartbeat intervals
   * (ours until it said), or, during the handshake, for `handshakeTimeout`?
   */
  silentFor(now: number, ownHeartbeat: number, handshakeTimeout: number): number | undefined {
    const limit = MISSED_HEARTBEATS * (this.heartbeat ?? ownHeartbeat);
    const silent = now - this.lastSeen;
    if (silent > limit) return silent;
    if (this.state === 'handshake' && now - this.since > handshakeTimeout) return now - this.since;
    return undefined;
  }

  /** The remote's `hello` (its session already checked by the endpoint): open, or update. */
  applyHello(hello: HelloFrame, session: HelloSession): void {
    if (this.state === 'closed') return;
    this.session = { inst: session.inst, ep: session.ep };
    this.heartbeat = session.hb;
    this.remoteTypes = new Set(hello.subs);
    this.sendFrame({ k: 'ack', seq: hello.seq });
    if (this.state === 'handshake') {
      this.state = 'open';
      this.host.opened(this);
    } else {
      this.host.subscriptionsChanged(this);
    }
  }

  /** Any other frame from the remote. */
  onFrame(frame: Exclude<Frame, HelloFrame>): void {
    if (this.state === 'closed') return;
    if (frame.k === 'reject') {
      const error = new ConnectionRejectedError({ endpoint: this.name, reason: frame.reason });
      this.host.reportError(error);
      this.fail(error);
      return;
    }
    if (frame.k === 'ack') {
      this.onAck(frame.seq);
      return;
    }
    if (this.state !== 'open') {
      this.host.reportError(
        new FrameError({ kind: 'protocol', direction: 'in', peer: this.name }, `${frame.k} before the hello`),
      );
      return;
    }
    switch (frame.k) {
      case 'ev':
        this.host.event(this, frame);
        return;
      case 'subs':
        this.remoteTypes = new Set(frame.subs);
        this.sendFrame({ k: 'ack', seq: frame.seq });
        this.host.subscriptionsChanged(this);
        return;
      case 'nores':
        this.host.noResponder(this, frame.re);
    }
  }

  /** Close gracefully: what is batched for the remote leaves first. */
  end(): void {
    if (this.state === 'closed') return;
    this.host.wire.flushSubject(this.subject);
    this.finish(undefined);
  }

  /** Close at once, dropping what is batched for the remote; `cause` says why. */
  fail(cause: GolemRxError | undefined): void {
    if (this.state === 'closed') return;
    this.host.wire.discard(this.subject);
    this.finish(cause);
  }

  private onAck(seq: number): void {
    if (seq <= this.ackedSeq) return;
    this.ackedSeq = seq;
    const ready = this.ackWaiters.filter((w) => w.seq <= seq);
    this.ackWaiters = this.ackWaiters.filter((w) => w.seq > seq);
    for (const w of ready) w.resolve();
  }

  private finish(cause: GolemRxError | undefined): void {
    this.state = 'closed';
    for (const w of this.ackWaiters) w.resolve();
    this.ackWaiters = [];
    this.host.closed(this, cause);
    this.markClosed();
  }
}
