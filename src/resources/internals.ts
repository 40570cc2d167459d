/**
 * Small pieces shared by the resource classes.
 *
 * @internal
 * @module
 */
import { EMPTY, type MonoTypeOperatorFunction, Observable, catchError, ignoreElements, tap, throwError } from 'rxjs';
import { isYagnaGoneError } from '../errors/YagnaGoneError.js';
import { isYagnaNotFoundError } from '../errors/YagnaNotFoundError.js';
import { type CallResult, fromCall } from './Action.js';

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

/** A string of 32 random hex digits, for default session ids (not a clock, not a secret). */
export function randomId(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '');
}

/**
 * Mirrors `main$` (its values, completion and errors) while keeping `background$` subscribed
 * beside it (e.g. the long-poll that feeds `main$`); errors of `background$` are forwarded, its
 * completion is ignored. Both are unsubscribed when `main$` ends or the subscriber leaves.
 */
export function alongside<T>(main$: Observable<T>, background$: Observable<unknown>): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.add(main$.subscribe(subscriber));
    if (!subscriber.closed) subscriber.add(background$.subscribe({ error: (error: unknown) => subscriber.error(error) }));
  });
}
