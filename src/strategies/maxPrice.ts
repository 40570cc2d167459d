import { Decimal } from 'decimal.js';
import { USAGE, canonicalUsageName, capsByCounter, tryLinearPricing } from '../api/pricing.js';
import type { OfferProposal } from '../ports/index.js';
import type { ProposalFilter } from './types.js';

/** The caps of {@link maxPrice}, in GLM; what is left out is not capped. */
export interface MaxPriceConfig {
  /** The highest start price (the fixed coefficient). */
  readonly start?: Decimal.Value;
  /** The highest price per CPU second (`golem.usage.cpu_sec` / `cpu-sec`). */
  readonly perCpuSec?: Decimal.Value;
  /** The highest price per second of duration (`golem.usage.duration_sec` / `duration-sec`). */
  readonly perDurationSec?: Decimal.Value;
  /** Caps for other counters (or the same ones), by counter name in either spelling. */
  readonly perUsage?: Readonly<Record<string, Decimal.Value>>;
}

/**
 * A filter that keeps the proposals whose linear prices are all within the caps. A proposal without
 * readable linear pricing (see `tryLinearPricing`) is dropped; counters without a cap are not
 * checked.
 *
 * @example
 * ```ts
 * proposals$.pipe(filter(maxPrice({ start: 0, perCpuSec: '0.0001' })), score(byThreads), negotiate(2));
 * ```
 *
 * @see {@link leastExpensiveLinearPayu}
 */
export function maxPrice<P extends OfferProposal = OfferProposal>(caps: MaxPriceConfig): ProposalFilter<P> {
  const perCounter = capsByCounter({
    ...(caps.perCpuSec === undefined ? {} : { [USAGE.cpuSec]: caps.perCpuSec }),
    ...(caps.perDurationSec === undefined ? {} : { [USAGE.durationSec]: caps.perDurationSec }),
    ...caps.perUsage,
  });
  const start = caps.start === undefined ? undefined : new Decimal(caps.start);
  return (proposal) => {
    const pricing = tryLinearPricing(proposal.properties);
    if (pricing === undefined) return false;
    if (start !== undefined && pricing.start.greaterThan(start)) return false;
    return pricing.usageVector.every((name, i) => {
      const cap = perCounter.get(canonicalUsageName(name));
      return cap === undefined || !pricing.coeffs[i]!.greaterThan(cap);
    });
  };
}
