import { DevnetError, errorGuard } from './DevnetError.js';

/** Typed context of a {@link DevnetConfigError}. */
export interface DevnetConfigErrorContext {
  /** The option (or CLI flag) that is wrong, e.g. `faults`, `providers`, `subnets`. */
  readonly option: string;
  /** The offending value as text (never an app key). */
  readonly value?: string;
}

/**
 * A devnet option is invalid: a malformed fault SPEC, a negative provider count, a subnet
 * mix that does not parse. Raised by `startDevnet`, `parseFaultSpec` and the `devnet` command.
 */
export class DevnetConfigError extends DevnetError {
  override readonly name = 'DevnetConfigError' as const;
  readonly option: string;
  readonly value: string | undefined;

  constructor(message: string, context: DevnetConfigErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.option = context.option;
    this.value = context.value;
  }
}

/** Is `err` a {@link DevnetConfigError} (also across realms)? */
export const isDevnetConfigError = errorGuard(DevnetConfigError, 'DevnetConfigError');
