import type { Socket } from 'node:net';
import { timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { OverflowPolicy } from './errors/BroadcastOverflowError.js';
import type { EncodedFrame } from './wire/codec.js';

/** Limits of one peer's send queue. */
export interface SendQueueLimits {
  /** Backlog (queued plus socket-buffered bytes) above which `send` waits. */
  readonly highWaterMark: number;
  /** Most frames `sendNowait` may leave queued. */
  readonly nowaitMaxFrames: number;
  /** Most bytes `sendNowait` may leave queued. */
  readonly nowaitMaxBytes: number;
  readonly overflow: OverflowPolicy;
  /** Milliseconds without the socket draining before `onStall`; 0 disables. */
  readonly slowPeerTimeout: number;
  readonly scheduler: SchedulerLike;
}

/** Corked bytes past which a peer's socket is flushed without waiting for the next tick. */
const FLUSH_BYTES = 64 * 1024;

/** Result of {@link SendQueue.sendNowait}. */
export type NowaitResult = 'queued' | 'dropped-newest' | 'dropped-oldest' | 'full';

interface Item {
  readonly frame: EncodedFrame;
  readonly nowait: boolean;
}

/**
 * The queue in front of one peer's socket, so a slow peer delays only its own frames. Frames go
 * to the socket while it buffers less than the high-water mark, and wait here otherwise. `send`
 * resolves at once while the backlog (queued plus socket-buffered bytes) is under the mark, and
 * otherwise when the socket drains (the backpressure of `broadcast`). `sendNowait` never
 * waits: its queued frames are bounded and the overflow policy decides what goes. While the
 * backlog is above the mark and the socket does not drain for `slowPeerTimeout`, `onStall` is
 * called (the peer is then disconnected).
 */
export class SendQueue {
  private readonly items: Item[] = [];
  private head = 0;
  private queuedBytes = 0;
  private nowaitFrames = 0;
  private nowaitBytes = 0;
  private waiters: (() => void)[] = [];
  private stall: Subscription | undefined;
  private closed = false;
  private corked = false;
  /** Bytes written since the socket was corked. */
  private corkedBytes = 0;
  private tickPending = false;
  private readonly highWaterMark: number;
  private readonly onTick = (): void => {
    this.tickPending = false;
    this.flush();
  };

  constructor(
    private readonly socket: Socket,
    private readonly limits: SendQueueLimits,
    private readonly onStall: (bufferedBytes: number, stalledMs: number) => void,
  ) {
    // below the socket's own mark, 'drain' would never come
    this.highWaterMark = Math.max(limits.highWaterMark, socket.writableHighWaterMark);
    socket.on('drain', () => this.onDrain());
  }

  /** Bytes waiting for this peer: queued here plus buffered in the socket. */
  get backlog(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  /** Queue a frame; the Promise (if any) resolves when the backlog is under the high-water mark. */
  send(frame: EncodedFrame): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.enqueue({ frame, nowait: false });
    if (this.backlog <= this.highWaterMark || this.closed) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Queue a frame without waiting, within the nowait bounds and by the overflow policy. */
  sendNowait(frame: EncodedFrame): NowaitResult {
    if (this.closed) return 'queued';
    if (this.wouldOverflow(frame.bytes)) {
      if (this.limits.overflow === 'error') return 'full';
      if (this.limits.overflow === 'drop-newest' || !this.dropOldestNowait()) return 'dropped-newest';
      this.enqueue({ frame, nowait: true });
      return 'dropped-oldest';
    }
    this.enqueue({ frame, nowait: true });
    return 'queued';
  }

  /** Would `sendNowait` overflow right now? (Checked on every target before an `error`-policy send.) */
  wouldOverflow(size: number): boolean {
    return (
      this.items.length > this.head &&
      (this.nowaitFrames + 1 > this.limits.nowaitMaxFrames ||
        this.nowaitBytes + size > this.limits.nowaitMaxBytes)
    );
  }

  /** Drop everything queued and release every waiter; the socket is closed by the caller. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.head = 0;
    this.queuedBytes = this.nowaitBytes = this.nowaitFrames = 0;
    this.stopStallTimer();
    this.releaseWaiters();
  }

  private enqueue(item: Item): void {
    if (this.items.length === this.head && this.socket.writableLength < this.highWaterMark) {
      this.write(item);
    } else {
      this.items.push(item);
      this.queuedBytes += item.frame.bytes;
      if (item.nowait) {
        this.nowaitFrames++;
        this.nowaitBytes += item.frame.bytes;
      }
    }
    if (this.backlog > this.highWaterMark) this.startStallTimer();
  }

  /**
   * Write a frame's parts to the socket, corked: a frame's head and its attachments, and the
   * frames sent in one synchronous run (a loop of resolved `broadcast`s), leave in one `writev`
   * instead of one syscall each. The socket is uncorked at the next tick, or as soon as
   * `FLUSH_BYTES` are corked, so that a long run of small frames streams out in batches while
   * it is still being produced. The parts are written as they are: a broadcast's frame is
   * shared by every peer, never copied per peer.
   */
  private write(item: Item): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      if (!this.tickPending) {
        this.tickPending = true;
        process.nextTick(this.onTick);
      }
    }
    for (const part of item.frame.parts) this.socket.write(part);
    this.corkedBytes += item.frame.bytes;
    if (this.corkedBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.corkedBytes = 0;
    this.socket.uncork();
  }

  private pump(): void {
    while (this.head < this.items.length && this.socket.writableLength < this.highWaterMark && !this.closed) {
      const item = this.items[this.head]!;
      this.items[this.head++] = undefined as unknown as Item;
      this.queuedBytes -= item.frame.bytes;
      if (item.nowait) {
        this.nowaitFrames--;
        this.nowaitBytes -= item.frame.bytes;
      }
      this.write(item);
    }
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  private onDrain(): void {
    this.stopStallTimer();
    this.pump();
    if (this.backlog > this.highWaterMark) this.startStallTimer();
    else this.releaseWaiters();
  }

  private dropOldestNowait(): boolean {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (item.nowait) {
        this.items.splice(i, 1);
        this.queuedBytes -= item.frame.bytes;
        this.nowaitFrames--;
        this.nowaitBytes -= item.frame.bytes;
        return true;
      }
    }
    return false;
  }

  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private startStallTimer(): void {
    const ms = this.limits.slowPeerTimeout;
    if (ms <= 0 || this.stall !== undefined || this.closed) return;
    this.stall = timer(ms, this.limits.scheduler).subscribe({
      next: () => {
        this.stall = undefined;
        this.onStall(this.backlog, ms);
      },
    });
  }

  private stopStallTimer(): void {
    this.stall?.unsubscribe();
    this.stall = undefined;
  }
}
