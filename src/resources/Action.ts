/**
 * The return type of every resource action (`respond`, `confirm`, `terminate`, `release`, …):
 * a cold Observable that can also be awaited.
 *
 * @module
 */
import { Observable, type Subscriber, type TeardownLogic, isObservable, lastValueFrom } from 'rxjs';

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

/** What a client function returns: a Promise (the ky client) or an Observable (a stub in tests). */
export type CallResult<T> = PromiseLike<T> | Observable<T>;

/**
 * One HTTP call as a cold Observable: `call(signal)` runs at subscription with a fresh
 * `AbortController`, which is aborted only while the call is in flight (as `fromFetch` does), so
 * unsubscribing cancels the request and never a finished one. An Observable returned by `call`
 * (a marble-test stub) is subscribed as is.
 *
 * ```text
 * call:    ----r|
 * result:  ----(r|)
 * unsub:   --!        (aborts the request)
 * ```
 *
 * @param call starts the request with the given signal
 * @returns emits the response once and completes; errors with what the call rejects with
 */
export function fromCall<T>(call: (signal: AbortSignal) => CallResult<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let inFlight = true;
    let result: CallResult<T>;
    try {
      result = call(controller.signal);
    } catch (error: unknown) {
      subscriber.error(error);
      return undefined;
    }
    if (isObservable(result)) return result.subscribe(subscriber);
    result.then(
      (value) => {
        inFlight = false;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        inFlight = false;
        subscriber.error(error);
      },
    );
    return () => {
      if (inFlight) controller.abort();
    };
  });
}
