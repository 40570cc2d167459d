import { GolemRxError, isGolemRxError } from '../../errors/GolemRxError.js';

/** What a {@link YagnaError} knows about the failed call. */
export interface YagnaErrorContext {
  /**
   * The operation, as `METHOD <base path><path template>`, e.g.
   * `GET /market-api/v1/demands/{subscriptionId}/events`. Never a full URL, never a query string.
   */
  readonly endpoint?: string;
  /** The HTTP status yagna answered with; `undefined` when no response arrived. */
  readonly status?: number;
  /** yagna's own `message` (from `ErrorMessage` JSON or a text/plain body), if it sent one. */
  readonly yagnaMessage?: string;
  /** The path parameters of the call (ids such as `subscriptionId`); ids are opaque, never secrets. */
  readonly params?: Readonly<Record<string, string>>;
  /** The underlying error, already scrubbed of secrets. */
  readonly cause?: unknown;
}

/**
 * The base class of every error the yagna client raises: a failed HTTP call (with the status and
 * yagna's message), a network failure, a client-side timeout, an unexpected response, or a bad
 * argument. Messages and properties never contain the app key nor a URL with a query string.
 *
 * Subclasses: {@link YagnaBadRequestError} (400), {@link YagnaUnauthorizedError} (401),
 * {@link YagnaForbiddenError} (403), {@link YagnaNotFoundError} (404), {@link YagnaTimeoutError}
 * (408, 504, client timeout), {@link YagnaConflictError} (409), {@link YagnaGoneError} (410),
 * {@link YagnaNotImplementedError} (501), {@link YagnaServerError} (other 5xx),
 * {@link YagnaNetworkError}, {@link YagnaProtocolError}, {@link YagnaArgumentError}.
 */
export class YagnaError extends GolemRxError {
  override readonly name: string = 'YagnaError';
  /** The operation (`METHOD /base/path/{template}`), when the error belongs to a call. */
  readonly endpoint: string | undefined;
  /** The HTTP status, or `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** yagna's `message`, when it sent one (`{"message": null}` gives `undefined`). */
  readonly yagnaMessage: string | undefined;
  /** Path parameters of the call (resource ids). */
  readonly params: Readonly<Record<string, string>>;

  constructor(message: string, context: YagnaErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.endpoint = context.endpoint;
    this.status = context.status;
    this.yagnaMessage = context.yagnaMessage;
    this.params = context.params ?? {};
  }
}

/**
 * Is `err` a {@link YagnaError} or one of its subclasses (by class, or by the golem-rx marker and a
 * `Yagna…Error` name across realms)?
 */
export function isYagnaError(err: unknown): err is YagnaError {
  return (
    err instanceof YagnaError ||
    (isGolemRxError(err) && err.name.startsWith('Yagna') && err.name.endsWith('Error'))
  );
}
