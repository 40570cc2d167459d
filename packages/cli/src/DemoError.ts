import { GolemRxError, isGolemRxError } from 'golem-rx';
import type { DemoLeaks, DemoLeftOpen } from './demo.js';

/**
 * The demo could not run (bad flags, no app key), did not finish (timeout, interrupt), or
 * finished without success (a command failed, an invoice was not accepted, something was left
 * open): its message then names what.
 */
export class DemoError extends GolemRxError {
  override readonly name = 'DemoError' as const;
  /**
   * Why: `usage` (bad flags or environment), `timeout`, `interrupted`, `failed` (it ran to the
   * end, printed its summary, and `problems` says what went wrong).
   */
  readonly reason: 'usage' | 'timeout' | 'interrupted' | 'failed';
  /** After the close: what was still open once the demo had closed everything. */
  readonly leaked?: DemoLeaks;
  /** After the close: what `node.close()` could not close, with ids. */
  readonly leftOpen?: readonly DemoLeftOpen[];
  /** With `failed`: what went wrong, one sentence each. */
  readonly problems?: readonly string[];

  constructor(
    message: string,
    context: {
      reason: DemoError['reason'];
      leaked?: DemoLeaks;
      leftOpen?: readonly DemoLeftOpen[];
      problems?: readonly string[];
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.reason = context.reason;
    if (context.leaked !== undefined) this.leaked = context.leaked;
    if (context.leftOpen !== undefined) this.leftOpen = context.leftOpen;
    if (context.problems !== undefined) this.problems = context.problems;
  }
}

/** Is `err` a {@link DemoError} (by class, or by name across realms)? */
export function isDemoError(err: unknown): err is DemoError {
  return err instanceof DemoError || (isGolemRxError(err) && err.name === 'DemoError');
}
