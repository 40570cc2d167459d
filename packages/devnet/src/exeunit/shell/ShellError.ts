import { DevnetError, errorGuard } from '../../errors/DevnetError.js';

/**
 * A script of the simulated shell cannot be parsed or expanded (unterminated quote, an
 * unsupported construct, a bad arithmetic expression). The shell prints `sh: <message>` on
 * stderr and ends the script with `status` (2 for syntax errors, as POSIX shells do).
 */
export class ShellError extends DevnetError {
  override readonly name = 'ShellError' as const;
  /** Exit status the shell reports for this error. */
  readonly status: number;
  /** Offset in the script where parsing failed, when known. */
  readonly position: number | undefined;

  constructor(message: string, context: { status?: number; position?: number } = {}) {
    super(message);
    this.status = context.status ?? 2;
    this.position = context.position;
  }
}

/** Is `err` a {@link ShellError} (also across realms)? */
export const isShellError = errorGuard(ShellError, 'ShellError');
