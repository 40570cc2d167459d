import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link BusConfigError}. */
export interface BusConfigContext {
  /** The setting at fault, e.g. `name`, `path`, `BroadcastConfig.internal`. */
  readonly setting: string;
}

/**
 * Misuse of the bus's configuration: an invalid endpoint name or event tag, a socket path that is
 * too long or already served, `internal` combined with `filterEndpoint`, a class registered twice.
 */
export class BusConfigError extends GolemRxError {
  override readonly name = 'BusConfigError' as const;

  constructor(
    readonly context: BusConfigContext,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Is `err` a {@link BusConfigError} (also across realms)? */
export const isBusConfigError = errorGuard(BusConfigError, 'BusConfigError');
