import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * The registry has been closed: raised by operations started after `close()`, and emitted to every
 * `awaitPromise` subscriber still waiting when the registry closes (their promise stays pending in
 * the store and can be awaited again after a restart). The HTTP server answers it with 503.
 */
export class PromiseRegistryClosedError extends GolemRxError {
  override readonly name = 'PromiseRegistryClosedError' as const;
  /** The worker name of the closed registry. */
  readonly workerName: string;

  constructor(workerName: string, options?: { cause?: unknown }) {
    super(`Promise registry ${workerName} is closed`, options);
    this.workerName = workerName;
  }
}

/** Is `err` a {@link PromiseRegistryClosedError} (by class, or by name across realms)? */
export const isPromiseRegistryClosedError = errorGuard(
  PromiseRegistryClosedError,
  'PromiseRegistryClosedError',
);
