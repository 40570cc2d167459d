/**
 * `mergeMap` with a concurrency limit that also hands back the items still queued when the
 * subscription ends, so the operator can release what they hold (reject a draft, release a lease)
 * instead of dropping them silently as `mergeMap`'s buffer would.
 *
 * @internal
 * @module
 */
import { Observable, type OperatorFunction, Subscription } from 'rxjs';
import { subscribeUpstream } from './operatorInternals.js';

/** How {@link workQueue} processes items. */
export interface WorkQueueOptions<T, R> {
  /** Items processed at once. */
  readonly concurrency: number;
  /** The work for one item. Per-item failures are its own business; an error fails the stream. */
  readonly work: (item: T) => Observable<R>;
  /** Called, synchronously at teardown, for every item that was queued but never started. */
  readonly abandon: (item: T) => void;
}

/** Processes each item with `work`, at most `concurrency` at once, in arrival order. */
export function workQueue<T, R>({
  concurrency,
  work,
  abandon,
}: WorkQueueOptions<T, R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const queue: T[] = [];
      const running = new Subscription();
      let active = 0;
      let sourceDone = false;

      const start = (item: T): void => {
        active++;
        const inner = new Subscription();
        running.add(inner);
        inner.add(
          work(item).subscribe({
            next: (value) => subscriber.next(value),
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              active--;
              running.remove(inner);
              drain();
            },
          }),
        );
      };
      const drain = (): void => {
        while (!subscriber.closed && active < concurrency && queue.length > 0) start(queue.shift()!);
        if (!subscriber.closed && sourceDone && active === 0 && queue.length === 0) subscriber.complete();
      };

      subscribeUpstream(source, subscriber, {
        next: (item) => {
          queue.push(item);
          drain();
        },
        complete: () => {
          sourceDone = true;
          drain();
        },
      });
      // Added after the upstream link on purpose: teardown runs finalizers in order, so the source
      // is unsubscribed first and the leases released below cannot make an upstream `negotiate`
      // start new work. (Added to an already closed subscriber, they run at once.)
      subscriber.add(running);
      subscriber.add(() => {
        for (const item of queue.splice(0)) abandon(item);
      });
    });
}
