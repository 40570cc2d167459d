import { DevnetError, errorGuard } from '../errors/DevnetError.js';

/** Typed context of an {@link ExeScriptParseError}. */
export interface ExeScriptParseErrorContext {
  /** Index of the offending command, when the error is inside one. */
  readonly commandIndex?: number;
  /** JSON path of the offending value, e.g. `[2].run.capture.stdout`. */
  readonly path: string;
}

/**
 * The text of an exec request is not a valid ExeScript (not JSON, not an array of commands,
 * an unknown command, a missing or mistyped field). Devnet answers 400 for it.
 */
export class ExeScriptParseError extends DevnetError {
  override readonly name = 'ExeScriptParseError' as const;
  readonly commandIndex: number | undefined;
  readonly path: string;

  constructor(message: string, context: ExeScriptParseErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.commandIndex = context.commandIndex;
    this.path = context.path;
  }
}

/** Is `err` an {@link ExeScriptParseError} (also across realms)? */
export const isExeScriptParseError = errorGuard(ExeScriptParseError, 'ExeScriptParseError');
