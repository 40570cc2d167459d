import { GolemRxError, errorGuard } from 'golem-rx';

/** Typed context of a {@link CliUsageError}. */
export interface CliUsageErrorContext {
  /** The flag or argument at fault, e.g. `--timeout`, `<amount>`, `--yes`. */
  readonly argument?: string;
}

/**
 * The command line was used wrongly: a malformed amount or duration, an invalid `--api-url`, or a
 * destructive command run without `--yes` where nobody can answer its confirmation. The message
 * is one line meant for the user; `golem-rx` exits with code 2.
 */
export class CliUsageError extends GolemRxError {
  override readonly name = 'CliUsageError' as const;
  /** The flag or argument at fault, when there is one. */
  readonly argument: string | undefined;

  constructor(message: string, context: CliUsageErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.argument = context.argument;
  }
}

/** Is `err` a {@link CliUsageError} (also across realms)? */
export const isCliUsageError = errorGuard(CliUsageError, 'CliUsageError');
