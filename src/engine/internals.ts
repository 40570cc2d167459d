/**
 * Small Observable helpers of the engine.
 *
 * @internal
 * @module
 */
import { Observable } from 'rxjs';

/**
 * Mirrors `main$` (values, completion, errors), keeping `side$` subscribed beside it until `main$`
 * ends: `side$`'s errors are forwarded, its completion ignored.
 */
export function beside<T>(main$: Observable<T>, side$: Observable<unknown>): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.add(side$.subscribe({ error: (error: unknown) => subscriber.error(error) }));
    subscriber.add(main$.subscribe(subscriber));
  });
}
