import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';
import { formatPromiseId, type PromiseId } from '../PromiseId.js';

/**
 * A JSON helper could not convert a payload: `completePromiseJson` was given a value JSON cannot
 * represent (`direction: 'encode'`: `undefined`, a function, a BigInt, a cycle), or
 * `awaitPromiseJson` received bytes that are not UTF-8 JSON (`direction: 'decode'`). The
 * underlying `SyntaxError`/`TypeError` is the `cause`.
 */
export class PromisePayloadError extends GolemRxError {
  override readonly name = 'PromisePayloadError' as const;
  /** The promise whose payload failed. */
  readonly promiseId: PromiseId;
  /** Whether the value was being written (`encode`) or read (`decode`). */
  readonly direction: 'encode' | 'decode';

  constructor(promiseId: PromiseId, direction: 'encode' | 'decode', options?: { cause?: unknown }) {
    super(
      direction === 'encode'
        ? `Cannot encode the payload of promise ${formatPromiseId(promiseId)} as JSON`
        : `The payload of promise ${formatPromiseId(promiseId)} is not JSON`,
      options,
    );
    this.promiseId = promiseId;
    this.direction = direction;
  }
}

/** Is `err` a {@link PromisePayloadError} (by class, or by name across realms)? */
export const isPromisePayloadError = errorGuard(PromisePayloadError, 'PromisePayloadError');
