/**
 * `mergeMap` with a concurrency limit for the spending operators: it also hands back the items
 * still queued when the subscription ends (so the operator can release what they hold: reject a
 * draft, release a lease) instead of dropping them silently as `mergeMap`'s buffer would, and it
 * keeps an item's slot taken until what the item produced has been consumed downstream.
 *
 * An item holds one of the `concurrency` slots from the moment its work starts until its work
 * has ended **and** every value it emitted has been consumed: each value is emitted with a
 * {@link Lease} ({@link handOn}) that a spending operator downstream claims and releases when it
 * is done with it, or that is released when the value's synchronous emission returns. When the
 * slot frees, the item's own upstream lease (the slot it took in the operator before) is
 * released, so the demand signal travels back up the chain one stage at a time.
 *
 * @module
 */
import { Observable, type OperatorFunction, Subscription } from 'rxjs';
import { type Lease, createLease } from '../lease.js';
import { handOn } from './handOff.js';
import { subscribeUpstream } from './operatorInternals.js';

/** How {@link workQueue} processes items. */
export interface WorkQueueOptions<T, R extends object> {
  /** Items processed at once (signing or handed on and not yet consumed). */
  readonly concurrency: number;
  /** The work for one item. Per-item failures are its own business; an error fails the stream. */
  readonly work: (item: T) => Observable<R>;
  /**
   * The upstream lease an item holds, read synchronously when it arrives (e.g. the lease of a
   * `negotiate` draft, or one claimed from the operator upstream). Released when the item's slot
   * frees, or when the item is abandoned.
   */
  readonly leaseOf: (item: T) => Lease | undefined;
  /** Called, synchronously at teardown, for every item that was queued but never started. */
  readonly abandon: (item: T) => void;
}

interface Queued<T> {
  readonly item: T;
  readonly lease: Lease | undefined;
}

/** Processes each item with `work`, at most `concurrency` at once, in arrival order. */
export function workQueue<T, R extends object>({
  concurrency,
  work,
  leaseOf,
  abandon,
}: WorkQueueOptions<T, R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const queue: Queued<T>[] = [];
      const running = new Subscription();
      const holding = new Set<Lease | undefined>();
      let active = 0;
      let sourceDone = false;

      const start = ({ item, lease }: Queued<T>): void => {
        active++;
        holding.add(lease);
        let outstanding = 1; // the work itself, plus one per value not yet consumed
        const settle = (): void => {
          if (--outstanding > 0) return;
          active--;
          holding.delete(lease);
          lease?.release();
          drain();
        };
        const inner = new Subscription();
        running.add(inner);
        inner.add(
          work(item).subscribe({
            next: (value) => {
              outstanding++;
              handOn(subscriber, value, createLease(settle));
            },
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              running.remove(inner);
              settle();
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
          queue.push({ item, lease: leaseOf(item) });
          drain();
        },
        complete: () => {
          sourceDone = true;
          drain();
        },
      });
      // Added after the upstream link on purpose: teardown runs finalizers in order, so the source
      // is unsubscribed first and the leases released below cannot make an upstream operator
      // start new work. (Added to an already closed subscriber, they run at once.)
      subscriber.add(running);
      subscriber.add(() => {
        for (const lease of holding) lease?.release();
        holding.clear();
        for (const { item, lease } of queue.splice(0)) {
          abandon(item);
          lease?.release();
        }
      });
    });
}
