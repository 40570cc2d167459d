import { GolemRxError, errorGuard } from 'golem-rx';

/** Typed context of a {@link CliCommandError}. */
export interface CliCommandErrorContext {
  /** The ids the failure concerns (allocation, demand, invoice ids). */
  readonly ids?: readonly string[];
  /** The exit code. @default 1 */
  readonly exitCode?: number;
}

/**
 * A command could not do what it was asked, for a reason the user can act on: the confirmation
 * was declined, some releases failed, an invoice is not payable from that allocation. The message
 * is one line meant for the user; `golem-rx` exits with `exitCode` (1 unless interrupted).
 */
export class CliCommandError extends GolemRxError {
  override readonly name = 'CliCommandError' as const;
  /** The ids concerned. */
  readonly ids: readonly string[];
  /** The exit code `golem-rx` ends with (1, or 130 when interrupted). */
  readonly exitCode: number;

  constructor(message: string, context: CliCommandErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.ids = context.ids ?? [];
    this.exitCode = context.exitCode ?? 1;
  }
}

/** Is `err` a {@link CliCommandError} (also across realms)? */
export const isCliCommandError = errorGuard(CliCommandError, 'CliCommandError');
