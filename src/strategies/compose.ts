import type { ScoreValue } from '../operators/score.js';
import type { OfferProposal } from '../ports/index.js';
import type { ProposalFilter, ProposalScorer, ScorerWrapper } from './types.js';

/** Is `value` a score that keeps its proposal (a number `>= 0`)? */
export function isKept(value: ScoreValue): value is number {
  return typeof value === 'number' && value >= 0;
}

/**
 * Chains scorer wrappers onto a base scorer, left to right:
 * `pipeScorers(base, f, g)` is `g(f(base))`.
 *
 * @example
 * ```ts
 * const strategy = pipeScorers(
 *   leastExpensiveLinearPayu({ expectedTimeSecs: 600 }),
 *   keepIf(blockProviders(['0xbad…']), maxPrice({ start: '0.01' })),
 * );
 * proposals$.pipe(score(strategy), negotiate(4), createAgreement());
 * ```
 *
 * @see {@link keepIf}
 */
export function pipeScorers<P extends OfferProposal>(
  base: ProposalScorer<P>,
  ...wrappers: readonly ScorerWrapper<P>[]
): ProposalScorer<P> {
  return wrappers.reduce((scorer, wrap) => wrap(scorer), base);
}

/**
 * A wrapper that drops (scores `null`) the proposals any of `filters` rejects, and leaves the
 * others to the base scorer. The base scorer is not called for dropped proposals.
 *
 * @example
 * ```ts
 * const strategy = keepIf(allowProviders(['provider-a', 'provider-b']))(dummyStrategy());
 * ```
 */
export function keepIf<P extends OfferProposal>(...filters: readonly ProposalFilter<P>[]): ScorerWrapper<P> {
  return (base) => (proposal) => (filters.every((keep) => keep(proposal)) ? base(proposal) : null);
}

/**
 * A weighted sum of scorers: `Σ weight × score`. A proposal any of them drops is dropped.
 *
 * @param parts - `[scorer, weight]` pairs; weights `>= 0`.
 * @throws {RangeError} on a negative or non-finite weight.
 *
 * @example
 * ```ts
 * const strategy = combineScorers([leastExpensiveLinearPayu(), 1], [(p) => Number(p.properties['golem.inf.cpu.threads']) / 64, 0.2]);
 * ```
 */
export function combineScorers<P extends OfferProposal>(
  ...parts: readonly (readonly [ProposalScorer<P>, number])[]
): ProposalScorer<P> {
  for (const [, weight] of parts) {
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new RangeError(`combineScorers: weights must be finite and >= 0, got ${String(weight)}`);
    }
  }
  return (proposal) => {
    let total = 0;
    for (const [scorer, weight] of parts) {
      const value = scorer(proposal);
      if (!isKept(value)) return null;
      total += weight * value;
    }
    return total;
  };
}
