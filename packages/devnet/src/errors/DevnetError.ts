/**
 * The base class of devnet's errors. devnet is a package of its own and does not depend on the
 * library at run time; its errors carry the same cross-realm marker as golem-rx's (`isGolemRx`),
 * so `isGolemRxError` from `golem-rx` recognises them too.
 */
export class DevnetError extends Error {
  override readonly name: string = 'DevnetError';
  /** The marker golem-rx's guards recognise across realms. */
  readonly isGolemRx = true as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Does `err` come from devnet or golem-rx (by class, or by the marker across realms)? */
export function isDevnetError(err: unknown): err is DevnetError {
  return (
    err instanceof DevnetError || (err instanceof Error && (err as Partial<DevnetError>).isGolemRx === true)
  );
}

/**
 * Builds a guard for one subclass: true for an instance, or for an error from another realm with
 * the same literal `name` and the marker.
 */
export function errorGuard<T extends DevnetError>(
  ctor: abstract new (...args: never[]) => T,
  name: string,
): (err: unknown) => err is T {
  return (err: unknown): err is T => err instanceof ctor || (isDevnetError(err) && err.name === name);
}
