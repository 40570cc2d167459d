/**
 * An Observable mirrored while a background Observable runs beside it.
 *
 * @module
 */
import { Observable } from 'rxjs';

/**
 * Mirrors `main$` (its values, completion and errors) while keeping `background$` subscribed
 * beside it (e.g. the long-poll that feeds `main$`, a payer that follows a job): `main$` is
 * subscribed first, then `background$` unless `main$` has already ended. Errors of `background$`
 * are forwarded; its values and completion are ignored. Both are unsubscribed when `main$` ends
 * or the subscriber leaves.
 *
 * ```text
 * main$:        --a--b--|
 * background$:  ----x------
 * result:       --a--b--|
 * background$:  ^-------!
 * ```
 *
 * Cold when both are. Errors with the first error of either.
 *
 * @example
 * ```ts
 * const children$ = alongside(demand.children$, demand.collecting$);
 * ```
 *
 * @param main$ what the result mirrors
 * @param background$ what runs beside it
 * @see fromCall
 */
export function alongside<T>(main$: Observable<T>, background$: Observable<unknown>): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.add(main$.subscribe(subscriber));
    if (!subscriber.closed)
      subscriber.add(background$.subscribe({ error: (error: unknown) => subscriber.error(error) }));
  });
}
