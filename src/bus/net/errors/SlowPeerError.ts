import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link SlowPeerError}. */
export interface SlowPeerContext {
  /** The peer that stopped reading. */
  readonly peer: string;
  /** Bytes waiting for it (socket buffer plus queue) when it was cut. */
  readonly bufferedBytes: number;
  /** How long its socket made no progress, in milliseconds. */
  readonly stalledMs: number;
}

/**
 * Reported on `Endpoint.errors$` when a peer's socket has not drained for `slowPeerTimeout`:
 * the connection is closed so that it stalls no broadcast any longer.
 */
export class SlowPeerError extends GolemRxError {
  override readonly name = 'SlowPeerError' as const;

  constructor(readonly context: SlowPeerContext) {
    super(
      `Peer ${context.peer} read nothing for ${context.stalledMs} ms with ${context.bufferedBytes} bytes waiting; disconnected`,
    );
  }
}

/** Is `err` a {@link SlowPeerError} (also across realms)? */
export const isSlowPeerError = errorGuard(SlowPeerError, 'SlowPeerError');
