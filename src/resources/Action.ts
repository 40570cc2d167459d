/**
 * The return type of every resource action (`respond`, `confirm`, `terminate`, `release`, …):
 * a cold Observable that can also be awaited.
 *
 * @module
 */
import { Observable, type Subscriber, type TeardownLogic, lastValueFrom } from 'rxjs';

/**
 * A cold Observable of one call to yagna (or a short sequence of calls) that is also awaitable.
 *
 * - **Cold**: nothing is sent before it is subscribed (or awaited); every subscription sends again.
 * - **Cancellable**: unsubscribing while a request is in flight aborts it (an `AbortSignal`).
 * - **Awaitable, once**: the first `await action` (or `.then`) subscribes and settles with its
 *   last value (`undefined` for actions that produce nothing) or its error; every later `await`
 *   of the same action gets that same outcome without calling yagna again, so
 *   `const a = node.createAllocation(…); await a; await a;` creates one allocation. Subscribing
 *   is not memoised: each subscription is a new call, as for any cold Observable.
 *   So `await agreement.terminate()` does what it reads, and `agreement.terminate().pipe(…)`
 *   composes like any Observable.
 *
 * Operators treat it as a plain Observable (it implements the ports of `src/operators`).
 *
 * @example
 * ```ts
 * await agreement.terminate('Finished');                 // as a Promise
 * agreement.terminate('Finished').subscribe({ error });   // as an Observable
 * ```
 */
export class Action<T> extends Observable<T> {
  /** The outcome of the first `then`: awaiting memoises, subscribing does not. */
  private settled: Promise<T> | undefined;

  constructor(subscribe: (subscriber: Subscriber<T>) => TeardownLogic) {
    super(subscribe);
  }

  /**
   * Subscribes on the first call and settles with the last value (`undefined` when it emits
   * none); later calls share that outcome and make no new call.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.settled ??= lastValueFrom(this, { defaultValue: undefined as T });
    return this.settled.then(onfulfilled, onrejected);
  }
}

/**
 * Wraps an Observable into an {@link Action} (subscribing to the action subscribes to it).
 * @param source the cold Observable to wrap
 */
export function action<T>(source: Observable<T>): Action<T> {
  return new Action<T>((subscriber) => source.subscribe(subscriber));
}
