/**
 * Is `value` a thenable (a Promise, or anything with a `then` method, as Promises/A+ defines it)?
 * An `Action` (an awaitable Observable) is one too: test `isObservable` first where both apply.
 *
 * @example
 * ```ts
 * if (isPromiseLike(result)) return from(result);
 * ```
 */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
