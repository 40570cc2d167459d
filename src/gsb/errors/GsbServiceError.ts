import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** What the GSB storage was doing when it failed. */
export type GsbOperation =
  /** The websocket of bound services (`GET /gsb-api/v1/services/{servicesId}`, upgraded). */
  | 'connect'
  /** A message on the websocket that is not a GSB request, or an answer that could not be sent. */
  | 'message'
  /** The storage was closed before or while the call ran. */
  | 'closed';

/** Context of a {@link GsbServiceError}. */
export interface GsbServiceContext {
  readonly operation: GsbOperation;
  /** The bound services (yagna's `servicesId`), when known. */
  readonly servicesId?: string;
  /** The websocket's close code, when it closed. */
  readonly closeCode?: number;
}

/**
 * The GSB storage's websocket side failed: yagna refused a services' websocket or closed it while
 * the URL was published, a message was not a GSB request, or the storage was closed. (The REST
 * calls, bind and unbind, fail with the client's `YagnaError`s.) The message never contains the
 * app key.
 *
 * @example
 * ```ts
 * try { await storage.publishBytes(bytes); }
 * catch (e) { if (isGsbServiceError(e)) console.error(e.context.operation, e.context.closeCode); }
 * ```
 */
export class GsbServiceError extends GolemRxError {
  override readonly name = 'GsbServiceError' as const;

  constructor(
    readonly context: GsbServiceContext,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`GSB ${context.operation}: ${message}`, options);
  }
}

/** Is `err` a {@link GsbServiceError} (also across realms)? */
export const isGsbServiceError = errorGuard(GsbServiceError, 'GsbServiceError');
