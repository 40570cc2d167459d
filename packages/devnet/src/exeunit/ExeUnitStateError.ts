import { DevnetError, errorGuard } from '../errors/DevnetError.js';
import type { ActivityStateName } from './exescript.js';

/**
 * The activity cannot do what was asked in its current state: `exec` on a terminated or
 * unresponsive activity. Also the abort reason seen by commands interrupted by `destroy()` or
 * a crash.
 */
export class ExeUnitStateError extends DevnetError {
  override readonly name = 'ExeUnitStateError' as const;
  /** The activity's state when the error was raised. */
  readonly state: ActivityStateName;

  constructor(message: string, context: { state: ActivityStateName }, options?: { cause?: unknown }) {
    super(message, options);
    this.state = context.state;
  }
}

/** Is `err` an {@link ExeUnitStateError} (also across realms)? */
export const isExeUnitStateError = errorGuard(ExeUnitStateError, 'ExeUnitStateError');
