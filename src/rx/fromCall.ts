/**
 * One abortable call as a cold Observable, aborted only while it is in flight (as RxJS's
 * `fromFetch` does).
 *
 * @module
 */
import { Observable, isObservable } from 'rxjs';

/** What a client function returns: a Promise (the ky client) or an Observable (a stub in tests). */
export type CallResult<T> = PromiseLike<T> | Observable<T>;

/**
 * One call (an HTTP request) as a cold Observable: `call(signal)` runs at subscription with a
 * fresh `AbortController`, which is aborted only while the call is in flight: unsubscribing
 * before its answer cancels the request, and never one that has answered (aborting after success
 * would also abort the body read). A Promise result is emitted once, then the Observable
 * completes. An Observable result (a marble-test stub) is mirrored as is; it is in flight until
 * its first notification.
 *
 * ```text
 * call:    ----r|
 * result:  ----(r|)
 * unsub:   --!          (aborts the signal)
 * unsub:   ------!      (answered: nothing to abort)
 * ```
 *
 * Cold: every subscription calls again. Errors with what the call throws or rejects with.
 *
 * @example
 * ```ts
 * const identity$ = fromCall((signal) => api.identity.getIdentity({ signal }));
 * ```
 *
 * @param call starts the call with the given signal
 * @returns emits the answer and completes
 * @see alongside
 */
export function fromCall<T>(call: (signal: AbortSignal) => CallResult<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let inFlight = true;
    const answered = (): void => {
      inFlight = false;
    };
    subscriber.add(() => {
      if (inFlight) controller.abort();
    });
    let result: CallResult<T>;
    try {
      result = call(controller.signal);
    } catch (error: unknown) {
      answered();
      subscriber.error(error);
      return;
    }
    if (isObservable(result)) {
      subscriber.add(
        result.subscribe({
          next: (value) => {
            answered();
            subscriber.next(value);
          },
          error: (error: unknown) => {
            answered();
            subscriber.error(error);
          },
          complete: () => {
            answered();
            subscriber.complete();
          },
        }),
      );
      return;
    }
    result.then(
      (value) => {
        answered();
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        answered();
        subscriber.error(error);
      },
    );
  });
}
