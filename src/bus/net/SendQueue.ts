import type { Socket } from 'node:net';
import { timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { OverflowPolicy } from './errors/BroadcastOverflowError.js';

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

/** Result of {@link SendQueue.sendNowait}. */
export type NowaitResult = 'queued' | 'dropped-newest' | 'dropped-oldest' | 'full';

interface Item {
  readonly buf: Buffer;
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
  private readonly highWaterMark: number;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
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
  send(buf: Buffer): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.enqueue({ buf, nowait: false });
    if (this.backlog <= this.highWaterMark || this.closed) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Queue a frame without waiting, within the nowait bounds and by the overflow policy. */
  sendNowait(buf: Buffer): NowaitResult {
    if (this.closed) return 'queued';
    if (this.wouldOverflow(buf.length)) {
      if (this.limits.overflow === 'error') return 'full';
      if (this.limits.overflow === 'drop-newest' || !this.dropOldestNowait()) return 'dropped-newest';
      this.enqueue({ buf, nowait: true });
      return 'dropped-oldest';
    }
    this.enqueue({ buf, nowait: true });
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
      this.queuedBytes += item.buf.length;
      if (item.nowait) {
        this.nowaitFrames++;
        this.nowaitBytes += item.buf.length;
      }
    }
    if (this.backlog > this.highWaterMark) this.startStallTimer();
  }

  /**
   * Write to the socket, corked until the next tick: frames sent in one synchronous run (a loop
   * of resolved `broadcast`s) leave in one syscall instead of one each.
   */
  private write(item: Item): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(item.buf);
  }

  private pump(): void {
    while (this.head < this.items.length && this.socket.writableLength < this.highWaterMark && !this.closed) {
      const item = this.items[this.head]!;
      this.items[this.head++] = undefined as unknown as Item;
      this.queuedBytes -= item.buf.length;
      if (item.nowait) {
        this.nowaitFrames--;
        this.nowaitBytes -= item.buf.length;
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
        this.queuedBytes -= item.buf.length;
        this.nowaitFrames--;
        this.nowaitBytes -= item.buf.length;
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
