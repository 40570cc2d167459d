import type { Socket } from 'node:net';
import { timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { OverflowPolicy } from './errors/BroadcastOverflowError.js';
import type { EncodedFrame } from './wire/codec.js';
import { coalesce } from './wire/coalesce.js';

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

/** Batched bytes past which a peer's batch is written without waiting for the next tick. */
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
  /** Frames taken for the socket in this tick, written together at its end (see `write`). */
  private batch: EncodedFrame[] = [];
  private batchBytes = 0;
  private tickPending = false;
  private readonly highWaterMark: number;
  private readonly onTick = (): void => {
    this.tickPending = false;
    if (!this.closed) this.flush();
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

  /** Bytes waiting for this peer: queued and batched here, plus buffered in the socket. */
  get backlog(): number {
    return this.queuedBytes + this.batchBytes + this.socket.writableLength;
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

  /**
   * Drop everything queued and release every waiter; the socket is closed by the caller. The
   * frames already taken for the socket (this tick's batch) still go to it, if it is writable.
   */
  close(): void {
    if (this.closed) return;
    if (this.socket.writable) this.flush();
    this.batch = [];
    this.batchBytes = 0;
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
   * Take a frame for the socket. The frames taken in one synchronous run (a loop of resolved
   * `broadcast`s) are written together at the next tick, or as soon as `FLUSH_BYTES` are
   * batched: their small parts joined into one buffer, their large parts as they are, in one
   * `writev` (see {@link coalesce}). A broadcast's frame is shared by every peer, never copied
   * per peer, and so is the joined buffer of a batch that several peers got alike.
   */
  private write(item: Item): void {
    this.batch.push(item.frame);
    this.batchBytes += item.frame.bytes;
    if (this.batchBytes >= FLUSH_BYTES) this.flush();
    else if (!this.tickPending) {
      this.tickPending = true;
      process.nextTick(this.onTick);
    }
  }

  /** Write this tick's batch now (before the socket is ended, say). */
  flush(): void {
    if (this.batch.length === 0) return;
    const chunks = coalesce(this.batch);
    this.batch = [];
    this.batchBytes = 0;
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!);
      return;
    }
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
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
