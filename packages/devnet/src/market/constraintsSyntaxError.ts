import { DevnetError, errorGuard } from '../errors/DevnetError.js';

/** What went wrong while parsing a constraint expression. */
export type ConstraintSyntaxErrorKind =
  | 'EmptyInput'
  | 'Expected'
  | 'UnexpectedEnd'
  | 'TrailingInput'
  | 'EmptyProperty'
  | 'InvalidProperty'
  | 'UnsupportedOperator'
  | 'LimitExceeded';

/** Typed context of a {@link ConstraintSyntaxError}. */
export interface ConstraintSyntaxErrorContext {
  /** The kind of syntax error, as yagna's resolver names it. */
  readonly kind: ConstraintSyntaxErrorKind;
  /** Offset (UTF-16 code units) into the input where the error was detected. */
  readonly position: number;
  /** The offending input, cut to its first 200 characters. */
  readonly input: string;
}

/**
 * A constraint string does not follow the LDAP-like grammar of the Golem market
 * (`(&(golem.runtime.name=vm)(golem.inf.mem.gib>=0.5))`). Devnet answers 400 for it.
 */
export class ConstraintSyntaxError extends DevnetError {
  override readonly name = 'ConstraintSyntaxError' as const;
  readonly kind: ConstraintSyntaxErrorKind;
  readonly position: number;
  readonly input: string;

  constructor(detail: string, context: ConstraintSyntaxErrorContext, options?: { cause?: unknown }) {
    super(`Invalid constraint at position ${context.position}: ${detail}`, options);
    this.kind = context.kind;
    this.position = context.position;
    this.input = context.input;
  }
}

/** Is `err` a {@link ConstraintSyntaxError} (also across realms)? */
export const isConstraintSyntaxError = errorGuard(ConstraintSyntaxError, 'ConstraintSyntaxError');
