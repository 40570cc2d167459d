import { Decimal } from 'decimal.js';
import { USAGE, type LinearPricing, linearCost } from '../api/pricing.js';
import type { MaxPriceConfig } from '../strategies/index.js';

/** What {@link estimateBudget} sizes: how many rentals, for how long, at which worst prices. */
export interface BudgetOrder {
  /** How many rentals at most (a pool's `max`). @default 1 */
  readonly rentals?: number;
  /** How long each rental lasts, in ms. */
  readonly duration: number;
  /** The worst prices accepted (the offers' linear pricing caps). Needs `start`, `perCpuSec` and `perDurationSec`. */
  readonly maxPrice?: MaxPriceConfig;
  /** The CPU threads a rental bills (CPU seconds = threads × duration). @default 1 */
  readonly threads?: number;
  /** A rental's cost cap: it never costs more. */
  readonly costCap?: Decimal.Value;
}

/**
 * The most `rentals` rentals of `duration` can cost, to size an allocation: golem-js's
 * `estimateBudget`. One rental costs, at the worst prices accepted, what the linear pricing model
 * (`src/api/pricing.ts`) gives for `duration` seconds of duration and `threads × duration` CPU
 * seconds: `start + perDurationSec × s + perCpuSec × threads × s`; or its `costCap`, when lower.
 *
 * ```text
 * maxPrice { start: 0.01, perCpuSec: 0.0001, perDurationSec: 0.00002 }, duration 1 h, rentals 3
 * one rental: 0.01 + 0.00002 × 3600 + 0.0001 × 1 × 3600 = 0.442      budget: 1.326 GLM
 * ```
 *
 * The estimate covers `rentals` rentals; a pool that replaces failed providers spends more
 * agreements from the same allocation (each billed for the time it ran), which the node's payer
 * keeps within the allocation.
 *
 * @param order - see {@link BudgetOrder}.
 * @returns the budget in GLM.
 * @throws {RangeError} when neither a complete `maxPrice` (`start`, `perCpuSec`, `perDurationSec`)
 *   nor `costCap` bounds the cost, or on a bad number
 *
 * @example
 * ```ts
 * const budget = estimateBudget({ rentals: 3, duration: 3_600_000, maxPrice: { start: 0, perCpuSec: '0.0001', perDurationSec: '0.00002' } });
 * const pool = node.rentalPool({ max: 3, budget, maxPrice, payload });
 * ```
 */
export function estimateBudget(order: BudgetOrder): Decimal {
  const rentals = order.rentals ?? 1;
  const threads = order.threads ?? 1;
  if (!(Number.isInteger(rentals) && rentals >= 1)) {
    throw new RangeError(`estimateBudget: rentals must be an integer >= 1, got ${String(rentals)}`);
  }
  if (!(Number.isFinite(order.duration) && order.duration > 0)) {
    throw new RangeError(
      `estimateBudget: duration must be a finite number of ms > 0, got ${String(order.duration)}`,
    );
  }
  if (!(Number.isFinite(threads) && threads > 0)) {
    throw new RangeError(`estimateBudget: threads must be a number > 0, got ${String(threads)}`);
  }
  const byPrice = priceBound(order.maxPrice, order.duration / 1000, threads);
  const cap = order.costCap === undefined ? undefined : new Decimal(order.costCap);
  const each = byPrice === undefined ? cap : cap === undefined ? byPrice : Decimal.min(byPrice, cap);
  if (each === undefined) {
    throw new RangeError(
      'estimateBudget: give maxPrice with start, perCpuSec and perDurationSec, or a costCap (or pass a budget or an allocation)',
    );
  }
  return each.times(rentals);
}

/** The cost of `seconds` at the worst prices, or `undefined` when a cap is missing. */
function priceBound(
  maxPrice: MaxPriceConfig | undefined,
  seconds: number,
  threads: number,
): Decimal | undefined {
  if (
    maxPrice?.start === undefined ||
    maxPrice.perCpuSec === undefined ||
    maxPrice.perDurationSec === undefined
  )
    return undefined;
  const coeffs = [new Decimal(maxPrice.perDurationSec), new Decimal(maxPrice.perCpuSec)];
  const pricing: LinearPricing = {
    start: new Decimal(maxPrice.start),
    usageVector: [USAGE.durationSec, USAGE.cpuSec],
    coeffs,
    perUsage: { [USAGE.durationSec]: coeffs[0]!, [USAGE.cpuSec]: coeffs[1]! },
  };
  return linearCost(pricing, [new Decimal(seconds), new Decimal(seconds).times(threads)]);
}
