import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A timestamp from yagna (an event's `eventDate`, a cursor) is not RFC 3339, so it cannot be
 * ordered. A long-poll source that meets one stops with this error: guessing an order could
 * lose or repeat events.
 */
export class MalformedTimestampError extends GolemRxError {
  override readonly name = 'MalformedTimestampError' as const;

  /** @param timestamp the offending text */
  constructor(
    readonly timestamp: string,
    options?: { cause?: unknown },
  ) {
    super(`Not an RFC 3339 timestamp: ${JSON.stringify(timestamp.slice(0, 64))}`, options);
  }
}

/** Is `err` a {@link MalformedTimestampError} (by class, or by name across realms)? */
export const isMalformedTimestampError = errorGuard(MalformedTimestampError, 'MalformedTimestampError');
