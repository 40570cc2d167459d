/**
 * Small pieces shared by the resource classes.
 *
 * @module
 */
import {
  EMPTY,
  type MonoTypeOperatorFunction,
  Observable,
  Subscription,
  catchError,
  concatMap,
  defer,
  ignoreElements,
  isObservable,
  map,
  of,
  tap,
  throwError,
} from 'rxjs';
import type { Decimal } from 'decimal.js';
import type { Acceptance, AmountInput, Rejection } from '../api/index.js';
import { ResourceChangePossible } from '../bus/events.js';
import { NodeClosedError } from '../errors/NodeClosedError.js';
import { isYagnaGoneError } from '../api/errors/YagnaGoneError.js';
import { isYagnaNotFoundError } from '../api/errors/YagnaNotFoundError.js';
import type { EventBus, ListenerHandle } from '../bus/EventBus.js';
import { type EnableDefaultLoggerOptions, enableDefaultLogger } from '../logging/enableDefaultLogger.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import type { Allocation } from './Allocation.js';
import { type BackgroundOperation, ResourceOperationFailed } from './events.js';
import type { ResourceNode } from './ResourceNode.js';
import type { Resource } from './Resource.js';

/** The reason given when something created for a subscriber who left is withdrawn. */
export const UNWANTED = 'No longer needed by the requestor';

/** Completes instead of erroring when `accept(error)` holds; other errors pass. */
export function tolerate<T>(accept: (error: unknown) => boolean): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => (accept(error) ? EMPTY : throwError(() => error)));
}

/** 404 or 410: the thing is gone already. */
export function isGone(error: unknown): boolean {
  return isYagnaGoneError(error) || isYagnaNotFoundError(error);
}

/** A call whose answer does not matter: completes on success without emitting. */
export function voidCall(call: (signal: AbortSignal) => CallResult<unknown>): Observable<never> {
  return fromCall(call).pipe(ignoreElements());
}

/** Runs `effect` when the source completes (not on error, not on unsubscribe). */
export function onSuccess<T>(effect: () => void): MonoTypeOperatorFunction<T> {
  return tap({ complete: effect });
}

/**
 * Accepts a payment document (an invoice or a debit note) against `allocation` with yagna's
 * `accept` call for it. Without `amount`, the amount accepted is `amountDue()` (the document's
 * data is fetched first if not cached). Emits `ResourceChangePossible` for the document and the
 * allocation on success.
 *
 * @param document the invoice or debit note
 * @param allocation the allocation to pay from
 * @param amount the amount to accept, or `undefined` for the amount due
 * @param amountDue reads the amount due from the document's data (called once the data is known)
 * @param accept the yagna call (`acceptInvoice` / `acceptDebitNote` for the document's id)
 * @returns a cold, awaitable {@link Action} that completes when yagna accepted it
 */
export function acceptDocument(
  document: Resource,
  allocation: Allocation,
  amount: AmountInput | undefined,
  amountDue: () => AmountInput,
  accept: (acceptance: Acceptance, signal: AbortSignal) => CallResult<unknown>,
): Action<void> {
  return action(
    defer((): Observable<unknown> => (amount === undefined ? document.ensureData$() : of(undefined))).pipe(
      concatMap(() =>
        voidCall((signal) =>
          accept({ totalAmountAccepted: amount ?? amountDue(), allocationId: allocation.id }, signal),
        ),
      ),
      onSuccess(() => {
        document.node.events.emit(new ResourceChangePossible(document));
        document.node.events.emit(new ResourceChangePossible(allocation));
      }),
    ),
  );
}

/** A string of 32 random hex digits, for default session ids (not a clock, not a secret). */
export function randomId(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '');
}

/**
 * A call that creates something (POST), made safe to cancel: unsubscribing while it is in flight
 * does not abort it (the request may already have reached yagna, and aborting would leak what it
 * created); it runs to its end apart from the subscriber and `release` undoes what it created.
 * A failure after the subscriber left created nothing and concerns nobody. The node counts the
 * call while it is in flight (`node.creating`), so that `close()` waits for it and closes what it
 * made.
 *
 * ```text
 * call:     ----c|
 * unsub:    --!
 * result:   ---          (release(c) at frame 4)
 * ```
 */
export function createOrRelease<T extends Resource>(
  node: ResourceNode,
  call$: Observable<T>,
  release: (created: T) => void,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    if (node.closingOrClosed) {
      // Nothing is made once close() has begun: it would be made after close() looked.
      subscriber.error(new NodeClosedError({ operation: 'create' }));
      return undefined;
    }
    let left = false;
    const abandoned = (created: T): void => {
      // A node that is closing closes what it autocloses itself, once the call has landed.
      if (!(node.closingOrClosed && node.closes(created))) release(created);
    };
    node.creating(call$).subscribe({
      next: (created) => (left ? abandoned(created) : subscriber.next(created)),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      left = true;
    };
  });
}

/**
 * Runs work nobody awaits (a release from a teardown, an autostarted collection); a failure
 * becomes `ResourceOperationFailed` on the node's bus. Skipped when the resource is closed.
 * @returns the subscription (to stop it)
 */
export function inBackground(
  resource: Resource,
  operation: BackgroundOperation,
  work$: Observable<unknown>,
): Subscription {
  if (resource.closed) return Subscription.EMPTY;
  return work$.subscribe({
    error: (error: unknown) =>
      resource.node.events.emit(new ResourceOperationFailed(resource, operation, error)),
  });
}

/**
 * Starts the node's `logger` option: `enableDefaultLogger` with the app key among the secrets.
 * @returns the listener to stop on close, or `undefined` when logging is off
 */
export function startLogging(
  bus: EventBus,
  logger: boolean | EnableDefaultLoggerOptions | undefined,
  appKey: string | undefined,
): ListenerHandle | undefined {
  if (logger === undefined || logger === false) return undefined;
  const given = logger === true ? {} : logger;
  return enableDefaultLogger(bus, {
    ...given,
    secrets: [...(given.secrets ?? []), ...(appKey === undefined ? [] : [appKey])],
  });
}

/**
 * A stream (an AsyncIterable from the client, or an Observable from a stub) as a cold Observable:
 * `open(signal)` runs at subscription; unsubscribing aborts the signal, which ends the stream.
 */
export function streamOf<T>(open: (signal: AbortSignal) => AsyncIterable<T> | Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    const source = open(controller.signal);
    if (isObservable(source)) return source.subscribe(subscriber);
    const pump = async (): Promise<void> => {
      for await (const value of source) {
        if (subscriber.closed) return;
        subscriber.next(value);
      }
    };
    pump().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
    return () => controller.abort();
  });
}

/**
 * The current usage counters of an activity (`GET /activity/{id}/usage`), in the order of the
 * agreement's usage vector; `undefined` when yagna does not know the activity (404) or reports no
 * usage. What `acceptPayments` checks an invoice against (its `activityUsage` port).
 */
export function activityUsageOf(
  node: ResourceNode,
  activityId: string,
): Observable<readonly number[] | undefined> {
  return fromCall((signal) => node.api.activity.getActivityUsage(activityId, { signal })).pipe(
    map((usage): readonly number[] | undefined => usage.currentUsage ?? undefined),
    catchError((error: unknown) => (isYagnaNotFoundError(error) ? of(undefined) : throwError(() => error))),
  );
}

/** What a payment document is rejected with: yagna's `Rejection`, the amount as a `Decimal`. */
export interface DocumentRejection {
  readonly rejectionReason: 'INCORRECT_AMOUNT' | 'UNSOLICITED_SERVICE';
  readonly totalAmountAccepted: Decimal;
  readonly message: string;
}

/**
 * Rejects a payment document with yagna's `reject` call for it (real yagna answers 501,
 * `YagnaNotImplementedError`: the caller records the attempt). Emits `ResourceChangePossible`
 * for the document on success.
 */
export function rejectDocument(
  document: Resource,
  rejection: DocumentRejection,
  reject: (wire: Rejection, signal: AbortSignal) => CallResult<unknown>,
): Action<void> {
  return action(
    defer(() =>
      voidCall((signal) =>
        reject(
          {
            rejectionReason: rejection.rejectionReason,
            totalAmountAccepted: rejection.totalAmountAccepted.toFixed(),
            message: rejection.message,
          },
          signal,
        ),
      ).pipe(onSuccess(() => document.node.events.emit(new ResourceChangePossible(document)))),
    ),
  );
}
