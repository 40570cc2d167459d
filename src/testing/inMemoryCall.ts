/**
 * The one primitive of the in-memory yagna: a simulated call on its scheduler.
 *
 * @module
 */
import { Observable, type SchedulerLike } from 'rxjs';
import type { InMemoryYagnaStats } from './inMemoryBehaviour.js';
import type { InMemoryActivity, InMemoryAgreement } from './inMemoryResources.js';

/** What the resources share with their yagna. */
export interface YagnaContext {
  readonly scheduler: SchedulerLike;
  readonly stats: InMemoryYagnaStats;
  readonly agreements: InMemoryAgreement[];
  readonly activities: InMemoryActivity[];
  /** A new id: `prefix-1`, `prefix-2`, … */
  nextId(prefix: string): string;
}

/** How a simulated call ends besides its result. */
interface SimulateOptions<T> {
  /** Runs when the call ends: done, failed, or aborted. */
  readonly onEnd?: () => void;
  /**
   * Makes the call one that creates something (as `createAgreement`, `createActivity` on yagna):
   * unsubscribing does not abort it; it runs to its end and what it made is given to `release`,
   * as the real resources release it in the background.
   */
  readonly release?: (value: T) => void;
}

/**
 * One simulated call: after `delay` ms on the scheduler runs `result` and emits what it returns
 * (or errors with what it throws), then completes. Unsubscribed before that: nothing happens
 * but `callsAborted++` (unless `release` is given, see {@link SimulateOptions}). `delay:
 * undefined` never ends.
 */
export function simulate<T>(
  context: YagnaContext,
  delay: number | undefined,
  result: () => T,
  options: SimulateOptions<T> = {},
): Observable<T> {
  const { onEnd, release } = options;
  return new Observable<T>((subscriber) => {
    let ended = false;
    let abandoned = false;
    const end = (): void => {
      ended = true;
      onEnd?.();
    };
    if (delay !== undefined) {
      const action = context.scheduler.schedule(() => {
        end();
        let value: T;
        try {
          value = result();
        } catch (error: unknown) {
          // An abandoned call that fails made nothing: there is nothing to release or report.
          if (!abandoned) subscriber.error(error);
          return;
        }
        if (abandoned) release?.(value);
        else {
          subscriber.next(value);
          subscriber.complete();
        }
      }, delay);
      if (release === undefined) subscriber.add(action);
    }
    return () => {
      if (ended) return;
      if (release !== undefined) {
        abandoned = true;
        return;
      }
      end();
      context.stats.callsAborted++;
    };
  });
}
