import { defer } from 'rxjs';
import type { AllocationData } from '../api/index.js';
import type { CallResult } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import { isGone, onSuccess, tolerate, voidCall } from './internals.js';
import { Resource } from './Resource.js';

/**
 * A reservation of funds on one payment platform (`POST /payment-api/v1/allocations`): debit
 * notes and invoices are accepted against it. Created with `node.createAllocation(…)` (or by id
 * with `node.allocation(id)`); a root of the tree, without parent or children.
 *
 * Data: `AllocationData` (amounts as `Decimal`). Closed by `release()`, or found released.
 *
 * @example
 * ```ts
 * const allocation = await node.createAllocation({ amount: 5, network: 'holesky' });
 * console.log(allocation.data.remainingAmount.toString());
 * await allocation.release();
 * ```
 */
export class Allocation extends Resource<AllocationData> {
  /** The resource kind on the bus. */
  static readonly kind = 'Allocation';
  readonly kind = 'Allocation';

  protected fetchData(signal: AbortSignal): CallResult<AllocationData> {
    return this.node.api.payment.getAllocation(this.id, { signal });
  }

  /** The payment platform, e.g. `erc20-holesky-tglm` (needs data). */
  get paymentPlatform(): string {
    return this.data.paymentPlatform;
  }

  /**
   * Releases the allocation: what is left of it is available again. Transient failures are
   * retried by the client (DELETE is idempotent: its one retry layer). Tolerates an allocation
   * already released (410) or unknown (404), which is also what a retry meets when the failed
   * attempt did reach yagna. Closes the resource on success.
   *
   * @returns a cold, awaitable {@link Action} that completes when released
   */
  release(): Action<void> {
    return action(
      defer(() =>
        voidCall((signal) => this.node.api.payment.releaseAllocation(this.id, { signal })).pipe(
          tolerate(isGone),
          onSuccess(() => this.markClosed()),
        ),
      ),
    );
  }
}
