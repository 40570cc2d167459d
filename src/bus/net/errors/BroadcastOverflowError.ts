import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** What `broadcastNowait` does when a peer's bounded send queue is full. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'error';

/** Context of a {@link BroadcastOverflowError}. */
export interface BroadcastOverflowContext {
  /** The peer whose send queue was full. */
  readonly peer: string;
  /** Wire type tag of the event that was dropped (or refused, under `error`). */
  readonly eventType: string;
  readonly policy: OverflowPolicy;
  /** The queue's bound, in frames. */
  readonly limit: number;
}

/**
 * A `broadcastNowait` frame that a full per-peer queue could not take. Under `drop-newest` and
 * `drop-oldest` the dropped frame is reported on `Endpoint.errors$`; under `error` it is thrown
 * by `broadcastNowait` and nothing is queued anywhere.
 */
export class BroadcastOverflowError extends GolemRxError {
  override readonly name = 'BroadcastOverflowError' as const;

  constructor(readonly context: BroadcastOverflowContext) {
    super(
      `Send queue to ${context.peer} is full (${context.limit} frames, policy ${context.policy}): ${context.eventType} dropped`,
    );
  }
}

/** Is `err` a {@link BroadcastOverflowError} (also across realms)? */
export const isBroadcastOverflowError = errorGuard(BroadcastOverflowError, 'BroadcastOverflowError');
