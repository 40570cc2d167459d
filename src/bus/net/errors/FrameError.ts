import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/**
 * What was wrong with a frame:
 * - `garbage`: the frame body is not UTF-8 JSON (or is empty);
 * - `invalid-frame`: valid JSON that is not one of the protocol's frames;
 * - `oversized`: the length prefix exceeds `maxFrameBytes` (the connection is closed);
 * - `unknown-type`: an event whose type tag is not registered here;
 * - `invalid-payload`: a registered event whose payload its decoder refused;
 * - `protocol`: a well-formed frame at the wrong moment (an event before the handshake).
 */
export type FrameErrorKind =
  'garbage' | 'invalid-frame' | 'oversized' | 'unknown-type' | 'invalid-payload' | 'protocol';

/** Context of a {@link FrameError}. */
export interface FrameErrorContext {
  readonly kind: FrameErrorKind;
  /** `in`: a frame received and dropped; `out`: a frame this endpoint refused to send. */
  readonly direction: 'in' | 'out';
  /** The remote endpoint, once known (after the handshake). */
  readonly peer?: string;
  /** The event type tag, when the frame named one. */
  readonly eventType?: string;
  /** The frame's declared size in bytes, for `oversized`. */
  readonly size?: number;
  /** The payload field a decoder refused, for `invalid-payload`. */
  readonly field?: string;
}

/**
 * A bad frame. Received bad frames are dropped and reported on `Endpoint.errors$`; the connection
 * is kept, except for `oversized` (the stream cannot be trusted past a length it refuses to read)
 * and handshake failures, which close it. A frame too large to send rejects the `broadcast`.
 */
export class FrameError extends GolemRxError {
  override readonly name = 'FrameError' as const;

  constructor(
    readonly context: FrameErrorContext,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${context.direction === 'in' ? 'Dropped' : 'Refused'} ${context.kind} frame${context.peer === undefined ? '' : ` (peer ${context.peer})`}: ${detail}`,
      options,
    );
  }
}

/** Is `err` a {@link FrameError} (also across realms)? */
export const isFrameError = errorGuard(FrameError, 'FrameError');
