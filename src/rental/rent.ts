/**
 * The two ways to rent: one rental (`node.rent()`) and a pool (`node.rentalPool()`), on the node's
 * market. `GolemNode` calls these with itself.
 *
 * @module
 */
import { concatMap, defer, finalize, ignoreElements, take, throwIfEmpty } from 'rxjs';
import { NodeClosedError } from '../errors/NodeClosedError.js';
import { type Action, action } from '../resources/index.js';
import { RentalNotMadeError } from './errors/RentalNotMadeError.js';
import { type RentOptions, type RentalPoolOptions, resolveRentOptions } from './options.js';
import type { Rental } from './Rental.js';
import { RentalPool } from './RentalPool.js';
import type { RentalNode } from './RentalNode.js';
import { marketSupply } from './supply.js';

/**
 * Rents one provider: publishes a demand for `options`, scores and negotiates the offers, signs
 * exactly one agreement, starts an activity on it, and emits the {@link Rental} (the demand is
 * withdrawn then). Without an `allocation`, one of `budget` (or the estimate) is made for the
 * rental and released once its invoice is dealt with.
 *
 * ```text
 * node.rent(options):  ------------(r|)
 * demand:              ^-----------!        (published while renting)
 * negotiate(2) → createAgreement → createActivity → take(1)
 * ```
 *
 * @returns a cold, awaitable {@link Action} of the rental. Unsubscribing before it is made cancels
 *   the renting (what was signed is withdrawn). Errors with `RentalNotMadeError` when the demand
 *   ends or the node closes before a provider was rented, `NodeClosedError` after `close()`, and
 *   with what publishing the demand or making the allocation failed with.
 * @throws {RangeError} (synchronously) on a bad option, or when nothing says how much to reserve
 *   (no `allocation`, `budget`, complete `maxPrice`, nor `costCap`)
 */
export function rent(node: RentalNode, options: RentOptions): Action<Rental> {
  const resolved = resolveRentOptions(options, 1, node);
  return action(
    defer(() => {
      if (node.closingOrClosed) throw new NodeClosedError({ operation: 'rent' });
      const supply = marketSupply(node, resolved, 'rental');
      return supply.rent(1).pipe(
        throwIfEmpty(
          () => new RentalNotMadeError({ reason: node.closingOrClosed ? 'nodeClosing' : 'demandEnded' }),
        ),
        finalize(() => supply.abandon()),
      );
    }),
  );
}

/**
 * A pool of rentals on the node's market: keeps `min` (ready or in use), grows to `max` while
 * `acquire()`s wait, replaces a rental whose provider terminates it, and `drain()` stops and
 * settles all (`node.close()` drains it first and waits). The pool's allocation (without
 * `allocation`: one of `budget`, or the estimate for `max` rentals) is released once drained and
 * every invoice dealt with.
 *
 * @throws {RangeError} (synchronously) on a bad option (see {@link rent}; `min`/`max`)
 * @throws {NodeClosedError} (synchronously) after `close()` began
 */
export function rentalPool(node: RentalNode, options: RentalPoolOptions): RentalPool<Rental> {
  if (node.closingOrClosed) throw new NodeClosedError({ operation: 'rentalPool' });
  const resolved = resolveRentOptions(options, options.max, node);
  const supply = marketSupply(node, resolved, 'pool');
  const pool = new RentalPool<Rental>(supply, {
    max: options.max,
    scheduler: node.scheduler,
    reportOk: (report) => report.ok,
    ...(options.min === undefined ? {} : { min: options.min }),
    ...(options.retryDelay === undefined ? {} : { retryDelay: options.retryDelay }),
  });
  // close() drains an open pool, and waits until it is drained (as for a creating call)
  node
    .creating(
      node.stopping$.pipe(
        take(1),
        concatMap(() => pool.drain()),
        ignoreElements(),
      ),
    )
    .subscribe();
  return pool;
}
