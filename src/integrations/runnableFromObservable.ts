import type { Observable, Subscription } from 'rxjs';
import type { Runnable } from './Runnable.js';

/** Options of {@link runnableFromObservable}. */
export interface RunnableFromObservableConfig {
  /** Its name in status reports, e.g. `'pipeline'`. */
  name: string;
}

/**
 * Turns a long-running Observable (a pipeline, a poll) into a {@link Runnable}.
 *
 * `run()` subscribes (once) and resolves when the Observable completes, rejects when it errors.
 * `abort()` unsubscribes, which cancels whatever is in flight (RxJS teardown: HTTP requests are
 * aborted, in-flight spending is cleaned up by the operators), and resolves `run()`: an abort is
 * a clean stop. Values are ignored: put what you do with them in a `tap` or a `mergeMap`.
 *
 * ```text
 * obs$:    --a--b--c--|         run() resolves at |
 * obs$:    --a--#               run() rejects with #
 * obs$:    --a--b--             abort() at ^ unsubscribes; run() resolves
 *                ^
 * ```
 *
 * @param obs$ - the work; cold, subscribed by `run()`.
 * @param config - see {@link RunnableFromObservableConfig}.
 * @returns a one-shot runnable.
 *
 * @example
 * ```ts
 * const pipeline = runnableFromObservable(
 *   node.demand$({ payload }).pipe(score(byPrice), negotiate(4), createAgreement(), mergeMap(work)),
 *   { name: 'pipeline' },
 * );
 * const registry = wireUp([runnableFromNode(node), pipeline]);
 * ```
 */
export function runnableFromObservable(
  obs$: Observable<unknown>,
  config: RunnableFromObservableConfig,
): Runnable {
  let running: Promise<void> | undefined;
  let subscription: Subscription | undefined;
  let stop: (() => void) | undefined;
  let aborted = false;
  return {
    name: config.name,
    run(): Promise<void> {
      running ??= new Promise<void>((resolve, reject) => {
        if (aborted) {
          resolve();
          return;
        }
        stop = resolve;
        subscription = obs$.subscribe({
          complete: () => resolve(),
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the Observable's error, as it is
          error: (err: unknown) => reject(err),
        });
      });
      return running;
    },
    async abort(): Promise<void> {
      aborted = true;
      subscription?.unsubscribe();
      stop?.();
    },
  };
}
