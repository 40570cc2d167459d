/**
 * The base class of every error golem-rx raises. Each subclass has a literal `name`, a `cause`
 * when it wraps another error, and typed context that names the resources involved.
 *
 * Use the `isXxxError` guards rather than `instanceof` when errors may cross realms
 * (two copies of the library, worker threads): the guards also compare by name.
 */
export class GolemRxError extends Error {
  override readonly name: string = 'GolemRxError';
  /** A marker that survives realms, so guards can recognise our errors without `instanceof`. */
  readonly isGolemRx = true as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Does `err` come from golem-rx (by class, or by its marker across realms)? */
export function isGolemRxError(err: unknown): err is GolemRxError {
  return (
    err instanceof GolemRxError || (err instanceof Error && (err as Partial<GolemRxError>).isGolemRx === true)
  );
}

/**
 * Builds a guard for one subclass: true for an instance, or for an error from another realm
 * that carries the same literal `name` and the golem-rx marker.
 */
export function errorGuard<T extends GolemRxError>(
  ctor: abstract new (...args: never[]) => T,
  name: string,
): (err: unknown) => err is T {
  return (err: unknown): err is T => err instanceof ctor || (isGolemRxError(err) && err.name === name);
}
