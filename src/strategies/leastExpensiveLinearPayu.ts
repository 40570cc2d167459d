import { Decimal } from 'decimal.js';
import {
  type LinearPricing,
  USAGE,
  canonicalUsageName,
  capsByCounter,
  payuPricingWithin,
} from '../api/pricing.js';
import type { OfferProposal } from '../ports/index.js';
import type { ProposalScorer } from './types.js';

/** The options of {@link leastExpensiveLinearPayu}; prices in GLM. */
export interface LeastExpensiveLinearPayuConfig {
  /**
   * The expected run time of an activity, in seconds: the estimated usage of both
   * `duration_sec` and `cpu_sec` (one busy thread), as yapapi's strategy assumes.
   * @default 60
   */
  readonly expectedTimeSecs?: number;
  /**
   * The highest start price; above it a proposal is dropped.
   * @default Infinity
   */
  readonly maxFixedPrice?: Decimal.Value;
  /**
   * The highest price per unit of a counter, by name in either spelling
   * (`{ 'golem.usage.cpu_sec': '0.0001' }`); above it a proposal is dropped.
   * @default {} (no caps)
   */
  readonly maxPriceFor?: Readonly<Record<string, Decimal.Value>>;
}

/** The counters this strategy can estimate, in canonical spelling. */
const ESTIMATED = new Set([canonicalUsageName(USAGE.cpuSec), canonicalUsageName(USAGE.durationSec)]);

/**
 * The expected cost of an activity of `expectedTimeSecs` under `pricing`:
 * `start + (coeff(cpu) + coeff(duration)) × expectedTimeSecs`; `undefined` when a counter it cannot
 * estimate has a non-zero price.
 */
export function expectedLinearCost(pricing: LinearPricing, expectedTimeSecs: number): Decimal | undefined {
  const time = new Decimal(expectedTimeSecs);
  let cost = pricing.start;
  for (const [i, name] of pricing.usageVector.entries()) {
    const coeff = pricing.coeffs[i]!;
    if (ESTIMATED.has(canonicalUsageName(name))) cost = cost.plus(coeff.times(time));
    else if (!coeff.isZero()) return undefined;
  }
  return cost;
}

/**
 * yapapi's `LeastExpensiveLinearPayuMS`: the cheaper an activity of `expectedTimeSecs` would be,
 * the higher the score, `1 / (1 + expected cost)` (in `(0, 1]`, strictly decreasing in the cost;
 * `score` drops negative scores, so the cost is not negated).
 *
 * Dropped (`null`): pricing that is not linear or is malformed, a scheme other than `payu`,
 * negative prices, a start price above `maxFixedPrice`, a counter price above its `maxPriceFor`
 * cap, and a non-zero price for a counter other than CPU and duration seconds (it cannot be
 * estimated). Old and new counter names (`cpu_sec` / `cpu-sec`) are both understood.
 *
 * @example
 * ```ts
 * const cheapest = leastExpensiveLinearPayu({ expectedTimeSecs: 600, maxFixedPrice: 0, maxPriceFor: { 'golem.usage.cpu_sec': '0.0001' } });
 * proposals$.pipe(score(cheapest, { minProposals: 10, maxWait: 5_000 }), negotiate(4), createAgreement());
 * ```
 *
 * @see {@link dummyStrategy}
 * @see {@link maxPrice}
 */
export function leastExpensiveLinearPayu<P extends OfferProposal = OfferProposal>(
  config: LeastExpensiveLinearPayuConfig = {},
): ProposalScorer<P> {
  const expectedTimeSecs = config.expectedTimeSecs ?? 60;
  if (!(Number.isFinite(expectedTimeSecs) && expectedTimeSecs >= 0)) {
    throw new RangeError(
      `leastExpensiveLinearPayu: expectedTimeSecs must be a finite number >= 0, got ${String(expectedTimeSecs)}`,
    );
  }
  const maxFixed = new Decimal(config.maxFixedPrice ?? Infinity);
  const caps = capsByCounter(config.maxPriceFor ?? {});
  return (proposal) => {
    const pricing = payuPricingWithin(proposal.properties, maxFixed);
    if (pricing === undefined) return null;
    for (const [i, name] of pricing.usageVector.entries()) {
      const coeff = pricing.coeffs[i]!;
      const cap = caps.get(canonicalUsageName(name));
      if (coeff.isNegative() || (cap !== undefined && coeff.greaterThan(cap))) return null;
    }
    const cost = expectedLinearCost(pricing, expectedTimeSecs);
    return cost === undefined ? null : new Decimal(1).div(cost.plus(1)).toNumber();
  };
}
