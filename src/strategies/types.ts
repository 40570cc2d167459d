/**
 * The shapes of a strategy: scorers rate proposals, filters keep or drop them, wrappers turn one
 * scorer into another. All are plain synchronous functions, so they compose with `pipe`-like
 * helpers, plug straight into `score(…)` and RxJS's `filter(…)`, and are unit-testable without
 * any scheduler.
 *
 * @module
 */
import type { OfferProposal } from '../ports/index.js';
import type { ScoreValue } from '../operators/score.js';

/**
 * Rates a proposal synchronously: a number `>= 0` keeps it (higher is better), `null` drops it.
 * Every `ProposalScorer` is a `Scorer` for `score(…)`.
 *
 * @typeParam P - the proposals it rates.
 */
export type ProposalScorer<P extends OfferProposal = OfferProposal> = (proposal: P) => ScoreValue;

/**
 * Keeps (`true`) or drops (`false`) a proposal. Use it with RxJS's `filter(…)` before `score`, or
 * inside a scorer with {@link keepIf}.
 *
 * @typeParam P - the proposals it tests.
 */
export type ProposalFilter<P extends OfferProposal = OfferProposal> = (proposal: P) => boolean;

/**
 * Turns a scorer into another: what {@link pipeScorers} chains. It must not keep state shared
 * between the scorers it makes (see `penalizeUnconfirmed` for state, scoped to a subscription).
 *
 * @typeParam P - the proposals rated.
 */
export type ScorerWrapper<P extends OfferProposal = OfferProposal> = (
  base: ProposalScorer<P>,
) => ProposalScorer<P>;
