/**
 * The ports of a rental pool: what it holds (`PoolMember`, which `Rental` implements) and where it
 * gets new ones (`RentalSupply`: the node's market for `node.rentalPool()`; `cold()` stubs in
 * marble tests). They return cold Observables, as every port does.
 *
 * @module
 */
import type { Observable } from 'rxjs';

/** What a pool holds: a rental it can watch and stop. `Rental` implements it. */
export interface PoolMember<S = unknown> {
  /** Its id (a rental's agreement id). */
  readonly id: string;
  /** Its provider. */
  readonly providerId: string;
  /**
   * Emits (once) why it began to stop, whoever stopped it (its provider, its cost cap or timeout,
   * `stop()`), then completes. A pool replaces a member that ends while in it.
   */
  readonly ended$: Observable<unknown>;
  /** Stops it (idempotent; runs to its end whoever listens): emits its report and completes. */
  stop(): Observable<S>;
}

/** The report type of a pool member. */
export type StopReportOf<R> = R extends PoolMember<infer S> ? S : unknown;

/** Where a pool gets new members. */
export interface RentalSupply<R> {
  /**
   * Rents `count` more: emits each as it is ready (at most `count`), then completes; completes
   * short when no more can be had for now (the market ended); errors when renting fails for good.
   * Cold; unsubscribing cancels what is in flight (the spending operators clean it up).
   */
  rent(count: number): Observable<R>;
  /** The pool is drained: releases what the supply holds (an allocation it made). Completes when done. */
  close(): Observable<void>;
}
