import { GolemRxError, isGolemRxError } from '../index.js';
import type { DemoLeaks } from './demo.js';

/** The demo could not run (bad flags, no app key) or did not finish (timeout, interrupt). */
export class DemoError extends GolemRxError {
  override readonly name = 'DemoError' as const;
  /** Why: `usage` (bad flags or environment), `timeout`, `interrupted`. */
  readonly reason: 'usage' | 'timeout' | 'interrupted';
  /** After a timeout or an interrupt: what was still open once the demo had closed everything. */
  readonly leaked?: DemoLeaks;

  constructor(
    message: string,
    context: { reason: DemoError['reason']; leaked?: DemoLeaks },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.reason = context.reason;
    if (context.leaked !== undefined) this.leaked = context.leaked;
  }
}

/** Is `err` a {@link DemoError} (by class, or by name across realms)? */
export function isDemoError(err: unknown): err is DemoError {
  return err instanceof DemoError || (isGolemRxError(err) && err.name === 'DemoError');
}
