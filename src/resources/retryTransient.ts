/**
 * Retrying the calls that must succeed (terminate, cancel, accept): the one retry layer of the
 * calls the client does not retry itself (non-idempotent POSTs), with backoff on the node's
 * scheduler. The idempotent ones (destroy, release: DELETE) are retried by the client.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import {
  EMPTY,
  type MonoTypeOperatorFunction,
  type Observable,
  catchError,
  concatMap,
  defer,
  retry,
  tap,
  throwError,
  timer,
} from 'rxjs';
import type { AmountInput, DocumentStatus } from '../api/index.js';
import { ResourceChangePossible } from '../bus/events.js';
import { isYagnaBadRequestError } from '../api/errors/YagnaBadRequestError.js';
import { isYagnaConflictError } from '../api/errors/YagnaConflictError.js';
import { isYagnaError } from '../api/errors/YagnaError.js';
import { isYagnaNetworkError } from '../api/errors/YagnaNetworkError.js';
import { isYagnaTimeoutError } from '../api/errors/YagnaTimeoutError.js';
import { backoffDelay } from '../sources/backoff.js';
import type { Allocation } from './Allocation.js';
import type { NodeConfig } from './nodeOptions.js';
import type { Resource } from './Resource.js';

/** The statuses a retry may meet and still find the call done: 5xx overload, 408/504 waits, 429. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Is this failure worth another attempt? A network failure, a client-side timeout, or an answer
 * 408, 429, 500, 502, 503 or 504. Never an abort, a 4xx verdict or a 501.
 */
export function isTransientFailure(error: unknown): boolean {
  if (isYagnaNetworkError(error)) return true;
  if (isYagnaTimeoutError(error)) return true;
  return isYagnaError(error) && error.status !== undefined && TRANSIENT_STATUSES.has(error.status);
}

/**
 * Resubscribes the source after a transient failure ({@link isTransientFailure}), at most
 * `config.closeRetries` times, after `backoffDelay(attempt, config.poll.backoff)` ms of the node's
 * scheduler. Other failures, and the last transient one, pass through.
 *
 * ```text
 * call:     --#            (500)
 *             --#          (503, after the backoff)
 *                 --|      (done)
 * result:   -----------|
 * ```
 *
 * @param config the node's tuning (scheduler, backoff, jitter, retries)
 * @param onRetry called before each retry (the previous attempt may have reached yagna)
 */
export function retryTransient<T>(
  config: NodeConfig,
  onRetry: (error: unknown, attempt: number) => void = () => undefined,
): MonoTypeOperatorFunction<T> {
  const { scheduler, backoff, random } = config.poll;
  return retry({
    count: config.closeRetries,
    delay: (error: unknown, attempt: number) => {
      if (!isTransientFailure(error)) return throwError(() => error);
      onRetry(error, attempt);
      return timer(backoffDelay(attempt, backoff, random), scheduler);
    },
  });
}

/**
 * An accept (`POST /invoices/{id}/accept`, `/debitNotes/{id}/accept`) retried on transient
 * failures. yagna answers a repeated accept with 200 (Real); should a retry meet a 400 or 409
 * instead, the earlier attempt may have been the one that went through: the document is read
 * again, and the accept counts as done only when it is `ACCEPTED` or `SETTLED` and its amount due
 * equals the amount accepted. Anything else keeps the retry's error.
 *
 * @param document the invoice or debit note
 * @param allocation the allocation it was accepted against (for `ResourceChangePossible`)
 * @param amount the amount accepted, or `undefined` for the amount due
 * @param amountDue the amount due of the document's data
 * @param accept$ one accept (the document's data loaded first when needed)
 */
export function retryAccept<D extends { status: DocumentStatus }>(
  document: Resource<D>,
  allocation: Allocation,
  amount: AmountInput | undefined,
  amountDue: (data: D) => AmountInput,
  accept$: Observable<void>,
): Observable<void> {
  return defer(() => {
    let retried = false;
    return accept$.pipe(
      retryTransient(document.node.config, () => {
        retried = true;
      }),
      catchError((error: unknown) => {
        if (!retried || !(isYagnaBadRequestError(error) || isYagnaConflictError(error)))
          return throwError(() => error);
        const accepted = new Decimal(amount ?? amountDue(document.data));
        return document.load$().pipe(
          concatMap((data) =>
            isSettledFor(data.status) && new Decimal(amountDue(data)).eq(accepted)
              ? EMPTY
              : throwError(() => error),
          ),
          tap({
            complete: () => {
              document.node.events.emit(new ResourceChangePossible(document));
              document.node.events.emit(new ResourceChangePossible(allocation));
            },
          }),
        );
      }),
    );
  });
}

function isSettledFor(status: DocumentStatus): boolean {
  return status === 'ACCEPTED' || status === 'SETTLED';
}
