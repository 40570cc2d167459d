import type { Socket } from 'node:net';
import { timer, type Subscription } from 'rxjs';
import { ConnectionRejectedError } from './errors/ConnectionRejectedError.js';
import { FrameError } from './errors/FrameError.js';
import { RemoteDisconnectedError } from './errors/RemoteDisconnectedError.js';
import { SlowPeerError } from './errors/SlowPeerError.js';
import type { GolemRxError } from '../../errors/GolemRxError.js';
import { encodeFrame, wholeFrame, type EncodedFrame } from './wire/codec.js';
import type { DirectReads } from './wire/DirectReads.js';
import { FrameDecoder } from './wire/FrameDecoder.js';
import { PROTOCOL_VERSION, type EventFrame, type Frame, type HelloFrame } from './wire/frames.js';
import { SendQueue, type NowaitResult, type SendQueueLimits } from './SendQueue.js';

/** What a {@link Peer} needs from its endpoint. */
export interface PeerHost {
  readonly localName: string;
  readonly maxFrameBytes: number;
  readonly handshakeTimeout: number;
  readonly limits: SendQueueLimits;
  /** The current subscription set and its sequence number, for `hello`. */
  currentSubscriptions(): { readonly seq: number; readonly subs: readonly string[] };
  /** Accept (undefined) or refuse (a reason) a remote's `hello`. */
  admit(peer: Peer, hello: HelloFrame): string | undefined;
  opened(peer: Peer): void;
  subscriptionsChanged(peer: Peer): void;
  event(peer: Peer, frame: EventFrame): void;
  noResponder(peer: Peer, requestId: string): void;
  closed(peer: Peer, cause: GolemRxError | undefined): void;
  reportError(error: GolemRxError): void;
}

type PeerState = 'handshake' | 'open' | 'closed';

/**
 * One connection to a remote endpoint, inbound or outbound: the handshake, the frame decoder,
 * the send queue, the remote's subscription set and our acknowledgement bookkeeping.
 */
export class Peer {
  private state: PeerState = 'handshake';
  private remoteName: string | undefined;
  private helloSent = false;
  private ackedSeq = -1;
  private ackWaiters: { seq: number; resolve: () => void }[] = [];
  private handshakeTimer: Subscription | undefined;
  private readonly decoder: FrameDecoder;
  private readonly queue: SendQueue;
  /** The event types the remote subscribes to. */
  remoteTypes: ReadonlySet<string> = new Set();
  /** Why the connection ended, once it has. */
  private closeCause: GolemRxError | undefined;
  private markClosed!: () => void;
  /** Resolves when the connection has ended. */
  readonly whenClosed: Promise<void> = new Promise((resolve) => {
    this.markClosed = resolve;
  });
  private endGrace: Subscription | undefined;

  constructor(
    readonly socket: Socket,
    readonly direction: 'inbound' | 'outbound',
    private readonly host: PeerHost,
    /** For an outbound peer: the name we dialled, which the remote's `hello` must carry. */
    readonly expectedName?: string,
    /** Called once: without an error when the handshake completes, with one if it fails. */
    private readonly onHandshake?: (error?: GolemRxError) => void,
    /** The socket's `onread`, if it was created with one: it then reads into the decoder's buffers. */
    reads?: DirectReads,
  ) {
    this.decoder = new FrameDecoder(
      host.maxFrameBytes,
      { frame: (f) => this.onFrame(f), error: (e, fatal) => this.onBadFrame(e, fatal) },
      () => this.remoteName,
    );
    this.queue = new SendQueue(socket, host.limits, (bytes, ms) => this.onStall(bytes, ms));
    if (reads === undefined) socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    else reads.attach(this.decoder);
    socket.on('error', (err) => {
      // the 'close' that follows ends the peer; keep the first reason
      this.closeCause ??= new RemoteDisconnectedError({ endpoint: this.label }, { cause: err });
    });
    socket.on('close', () => this.finish(this.closeCause));
    this.handshakeTimer = timer(host.handshakeTimeout, host.limits.scheduler).subscribe({
      next: () =>
        this.fail(
          new ConnectionRejectedError({
            endpoint: this.label,
            reason: `no handshake within ${host.handshakeTimeout} ms`,
          }),
        ),
    });
    if (direction === 'outbound') this.sendHello();
  }

  /** The remote's name once its `hello` arrived. */
  get name(): string {
    return this.remoteName ?? this.label;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  private get label(): string {
    return this.remoteName ?? this.expectedName ?? '(handshake)';
  }

  /** Queue an encoded frame, waiting under backpressure. */
  send(frame: EncodedFrame): Promise<void> | undefined {
    return this.queue.send(frame);
  }

  /** Queue an encoded frame without waiting (bounded, by the overflow policy). */
  sendNowait(frame: EncodedFrame): NowaitResult {
    return this.queue.sendNowait(frame);
  }

  /** Would a nowait frame of this size overflow the queue? */
  wouldOverflow(size: number): boolean {
    return this.queue.wouldOverflow(size);
  }

  /** Send our new subscription set (once our `hello` is out; until then the `hello` carries it). */
  sendSubscriptions(seq: number, subs: readonly string[]): void {
    if (this.helloSent && this.state !== 'closed') this.sendFrame({ k: 'subs', seq, subs });
  }

  /** Send a control frame (ack, nores). */
  sendFrame(frame: Frame): void {
    if (this.state === 'closed') return;
    // The Promise only signals backpressure (it never rejects); control frames do not wait for it.
    void this.queue.send(wholeFrame(encodeFrame(frame, Number.MAX_SAFE_INTEGER)));
  }

  /** Resolves once the remote acknowledged our subscriptions up to `seq`, or the connection ended. */
  waitForAck(seq: number): Promise<void> {
    if (this.ackedSeq >= seq || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ seq, resolve }));
  }

  /** Close the connection, reporting `cause` (if any) as the reason. */
  fail(cause: GolemRxError | undefined): void {
    if (this.state === 'closed') return;
    this.closeCause ??= cause;
    this.socket.destroy();
    this.finish(this.closeCause);
  }

  /**
   * Close gracefully: drop what is queued, flush what the socket holds, then destroy it; a
   * remote that reads nothing for `handshakeTimeout` is cut.
   */
  end(): void {
    if (this.state === 'closed' || this.endGrace !== undefined) return;
    this.queue.close();
    this.socket.end(() => this.socket.destroy());
    this.endGrace = timer(this.host.handshakeTimeout, this.host.limits.scheduler).subscribe({
      next: () => this.socket.destroy(),
    });
  }

  private sendHello(): void {
    const { seq, subs } = this.host.currentSubscriptions();
    this.helloSent = true;
    this.sendFrame({ k: 'hello', v: PROTOCOL_VERSION, name: this.host.localName, seq, subs });
  }

  private onFrame(frame: Frame): void {
    if (this.state === 'closed') return;
    if (this.state === 'handshake') {
      this.onHandshakeFrame(frame);
      return;
    }
    switch (frame.k) {
      case 'ev':
        this.host.event(this, frame);
        return;
      case 'subs':
        this.applySubscriptions(frame.seq, frame.subs);
        return;
      case 'ack':
        this.onAck(frame.seq);
        return;
      case 'nores':
        this.host.noResponder(this, frame.re);
        return;
      default:
        this.host.reportError(
          new FrameError(
            { kind: 'protocol', direction: 'in', peer: this.name },
            `unexpected ${frame.k} after the handshake`,
          ),
        );
    }
  }

  private onHandshakeFrame(frame: Frame): void {
    if (frame.k === 'reject') {
      this.fail(new ConnectionRejectedError({ endpoint: this.label, reason: frame.reason }));
      return;
    }
    if (frame.k !== 'hello') {
      this.host.reportError(
        new FrameError({ kind: 'protocol', direction: 'in' }, `${frame.k} before the handshake`),
      );
      this.fail(
        new ConnectionRejectedError({
          endpoint: this.label,
          reason: 'protocol violation before the handshake',
        }),
      );
      return;
    }
    const refusal =
      frame.v !== PROTOCOL_VERSION
        ? `protocol version ${frame.v} is not ${PROTOCOL_VERSION}`
        : this.expectedName !== undefined && frame.name !== this.expectedName
          ? `expected endpoint ${this.expectedName}, found ${frame.name}`
          : this.host.admit(this, frame);
    if (refusal !== undefined) {
      if (this.direction === 'inbound') this.sendFrame({ k: 'reject', reason: refusal });
      this.closeCause = new ConnectionRejectedError({ endpoint: frame.name, reason: refusal });
      this.queue.flush(); // the reject, before the end
      this.socket.end(() => this.socket.destroy());
      this.finish(this.closeCause, false);
      return;
    }
    this.remoteName = frame.name;
    this.handshakeTimer?.unsubscribe();
    this.handshakeTimer = undefined;
    if (!this.helloSent) this.sendHello();
    this.remoteTypes = new Set(frame.subs);
    this.sendFrame({ k: 'ack', seq: frame.seq });
    this.state = 'open';
    this.host.opened(this);
    this.onHandshake?.();
  }

  private applySubscriptions(seq: number, subs: readonly string[]): void {
    this.remoteTypes = new Set(subs);
    this.sendFrame({ k: 'ack', seq });
    this.host.subscriptionsChanged(this);
  }

  private onAck(seq: number): void {
    if (seq <= this.ackedSeq) return;
    this.ackedSeq = seq;
    const ready = this.ackWaiters.filter((w) => w.seq <= seq);
    this.ackWaiters = this.ackWaiters.filter((w) => w.seq > seq);
    for (const w of ready) w.resolve();
  }

  private onBadFrame(error: FrameError, fatal: boolean): void {
    this.host.reportError(error);
    if (fatal) this.fail(error);
  }

  private onStall(bufferedBytes: number, stalledMs: number): void {
    const error = new SlowPeerError({ peer: this.name, bufferedBytes, stalledMs });
    this.host.reportError(error);
    this.fail(error);
  }

  private finish(cause: GolemRxError | undefined, destroy = true): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.handshakeTimer?.unsubscribe();
    this.endGrace?.unsubscribe();
    this.queue.close();
    for (const w of this.ackWaiters) w.resolve();
    this.ackWaiters = [];
    if (destroy && !this.socket.destroyed) this.socket.destroy();
    this.host.closed(this, cause);
    this.markClosed();
    if (!wasOpen) {
      this.onHandshake?.(
        cause ?? new ConnectionRejectedError({ endpoint: this.label, reason: 'closed during the handshake' }),
      );
    }
  }
}
