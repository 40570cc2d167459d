import { Decimal } from 'decimal.js';
import { USAGE, canonicalUsageName, capsByCounter, payuPricingWithin } from '../api/pricing.js';
import type { OfferProposal } from '../ports/index.js';
import type { ProposalScorer } from './types.js';

/** The options of {@link dummyStrategy}, in GLM. */
export interface DummyStrategyConfig {
  /**
   * The highest price per unit of each counter, by name in either spelling. A proposal billing a
   * counter not listed here is dropped.
   * @default { 'golem.usage.duration_sec': 0.002, 'golem.usage.cpu_sec': 0.02 } (yapapi's DummyMS)
   */
  readonly maxForCounter?: Readonly<Record<string, Decimal.Value>>;
  /**
   * The highest start price.
   * @default 0.05
   */
  readonly maxFixed?: Decimal.Value;
}

/** yapapi's defaults: 0.002 GLM per second of duration, ten times that per CPU second. */
const DEFAULT_MAX_FOR_COUNTER = { [USAGE.durationSec]: '0.002', [USAGE.cpuSec]: '0.02' };

/**
 * yapapi's `DummyMS`: every proposal priced linearly and "pay as you use" within the caps scores
 * the same (`1`, a neutral score that `penalizeUnconfirmed` can still lower); the rest are dropped.
 * With equal scores `negotiate` takes proposals in arrival order.
 *
 * Dropped (`null`): pricing that is not linear or is malformed, a scheme other than `payu`, a
 * start price above `maxFixed`, a counter without a cap in `maxForCounter` or above it, and
 * negative prices.
 *
 * @example
 * ```ts
 * proposals$.pipe(score(dummyStrategy({ maxFixed: 0 })), negotiate(4), createAgreement());
 * ```
 *
 * @see {@link leastExpensiveLinearPayu}
 */
export function dummyStrategy<P extends OfferProposal = OfferProposal>(
  config: DummyStrategyConfig = {},
): ProposalScorer<P> {
  const caps = capsByCounter(config.maxForCounter ?? DEFAULT_MAX_FOR_COUNTER);
  const maxFixed = new Decimal(config.maxFixed ?? '0.05');
  return (proposal) => {
    const pricing = payuPricingWithin(proposal.properties, maxFixed);
    if (pricing === undefined) return null;
    const withinCaps = pricing.usageVector.every((name, i) => {
      const cap = caps.get(canonicalUsageName(name));
      const coeff = pricing.coeffs[i]!;
      return cap !== undefined && !coeff.isNegative() && !coeff.greaterThan(cap);
    });
    return withinCaps ? 1 : null;
  };
}
