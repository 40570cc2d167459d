import type { Observable, Subscription } from 'rxjs';
import { isObservable } from 'rxjs';
import type { GolemEvent } from './events.js';
import { isPromiseLike } from '../rx/isPromiseLike.js';

/**
 * A bus listener: handles one event. It may return nothing (done), a Promise, or an Observable
 * (done when it completes); the next event waits until it is done. What it throws, rejects with
 * or errors with becomes a `ListenerFailed` event.
 */
export type Listener<T extends GolemEvent = GolemEvent> = (
  event: T,
) => void | PromiseLike<unknown> | Observable<unknown>;

/** What a queue tells its bus. */
export interface ListenerQueueHooks {
  /** The listener failed on `event`. */
  readonly failed: (event: GolemEvent, error: unknown) => void;
  /** The queue reached its high-water mark with `queued` events waiting. */
  readonly backlogged: (queued: number) => void;
}

/**
 * One listener's own queue: events are handled one at a time, in arrival order, each after the
 * previous one is done (its Promise settled or its Observable completed). A synchronous listener
 * with an empty queue runs at once, inside `push`. Memory is per listener and unbounded: a
 * listener slower than its events grows its own queue (reported once at `highWaterMark`, again
 * after it empties), never anyone else's.
 */
export class ListenerQueue<T extends GolemEvent = GolemEvent> {
  private readonly queue: T[] = [];
  private busy = false;
  private pumping = false;
  private stopped = false;
  private reported = false;
  private current: Subscription | undefined;
  private waiters: (() => void)[] = [];

  /**
   * @param id the listener's id, for reports
   * @param callback the listener
   * @param highWaterMark queue length reported as a backlog
   * @param hooks where failures and backlogs go
   */
  constructor(
    readonly id: string,
    private readonly callback: Listener<T>,
    readonly highWaterMark: number,
    private readonly hooks: ListenerQueueHooks,
  ) {}

  /** Events waiting (not counting the one being handled). */
  get queued(): number {
    return this.queue.length;
  }

  /** Nothing waiting and nothing being handled (or stopped). */
  get idle(): boolean {
    return this.stopped || (!this.busy && this.queue.length === 0);
  }

  /** Queues `event` and handles it now if the listener is free. */
  push(event: T): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (!this.reported && this.queue.length >= this.highWaterMark && this.busy) {
      this.reported = true;
      this.hooks.backlogged(this.queue.length);
    }
    this.pump();
  }

  /** Drops what is waiting and cancels an Observable being handled; nothing runs afterwards. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.current?.unsubscribe();
    this.current = undefined;
    this.wake();
  }

  /** Resolves when the queue is idle (immediately if it is). */
  whenIdle(): Promise<void> {
    return this.idle ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.busy && !this.stopped && this.queue.length > 0) {
        this.invoke(this.queue.shift() as T);
      }
    } finally {
      this.pumping = false;
    }
    if (this.queue.length === 0) this.reported = false;
    if (this.idle) this.wake();
  }

  private invoke(event: T): void {
    let result: unknown;
    try {
      result = this.callback(event);
    } catch (error) {
      this.hooks.failed(event, error);
      return;
    }
    if (isObservable(result)) {
      this.busy = true;
      const subscription = result.subscribe({
        error: (error: unknown) => this.settle(event, error),
        complete: () => this.settle(),
      });
      if (this.busy) this.current = subscription;
    } else if (isPromiseLike(result)) {
      this.busy = true;
      try {
        result.then(
          () => this.settle(),
          (error: unknown) => this.settle(event, error),
        );
      } catch (error) {
        this.settle(event, error);
      }
    }
  }

  private settle(...failure: [] | [event: T, error: unknown]): void {
    if (!this.busy) return;
    this.busy = false;
    this.current = undefined;
    if (failure.length === 2) this.hooks.failed(failure[0], failure[1]);
    this.pump();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
