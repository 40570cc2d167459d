import { type Observable, type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { OfferProposal } from '../ports/index.js';
import type { OnOperatorEvent } from './events.js';
import { checkCount, checkDuration } from './internals/operatorInternals.js';
import { runScore } from './internals/scoreInternals.js';

/** A proposal with the score `score` gave it: what `negotiate` orders its heap by. */
export interface Scored<P extends OfferProposal = OfferProposal> {
  /** The proposal. */
  readonly proposal: P;
  /** Its score, `>= 0`; higher is better. */
  readonly score: number;
}

/** A score: a number `>= 0` keeps the proposal; `null`, `undefined`, negative or NaN drops it. */
export type ScoreValue = number | null | undefined;

/**
 * Rates one proposal: higher is better. Return a number `>= 0` to keep it, `null` (or a negative
 * number) to drop it; synchronously, as a Promise, or as an Observable (its first value counts;
 * completing without a value drops the proposal).
 */
export type Scorer<P extends OfferProposal> = (
  proposal: P,
) => ScoreValue | PromiseLike<ScoreValue> | Observable<ScoreValue>;

/**
 * Rates every proposal with `fn` and tags it with its score, holding all of them back until
 * `minProposals` have been kept (or `maxWait` has passed) and then releasing them best-first.
 *
 * <span class="informal">The SimpleScorer of yapapi as an operator: it consumes the source
 * eagerly and scores concurrently; the heap it feeds lives in `negotiate`, which counters the best
 * proposal it holds whenever one of its slots frees.</span>
 *
 * ```text
 * source:   -a-b-c-d-----|       scores a:1 b:3 c:2 d:-1, minProposals: 3
 * result:   -----(bca)---|       d dropped (negative); the first three best-first, then as scored
 * ```
 *
 * Cold: each subscription subscribes to the source and scores on its own. It completes when the
 * source has completed and the last scoring has finished (releasing what it still holds first).
 * Proposals that have expired (`expiresAt <= scheduler.now()`) are dropped on arrival and on
 * release; dropped proposals are reported as `proposalDropped` events. Errors: `ScoringError`
 * (what `fn` threw or its Promise/Observable errored, as `cause`) and the source's own errors.
 * Unsubscribing cancels the scorings in flight (Observables are unsubscribed; a Promise's result
 * is ignored).
 *
 * @param fn - the scoring function.
 * @param config - see {@link ScoreConfig}.
 * @returns an operator from proposals to {@link Scored} proposals.
 *
 * @example
 * ```ts
 * const cheapest = (p: Proposal) => 1 / (1 + pricePerHour(p)); // your strategy
 * proposals$.pipe(score(cheapest, { minProposals: 10, maxWait: 5_000 }), negotiate(4), createAgreement());
 * ```
 *
 * @see {@link negotiate}
 */
export function score<P extends OfferProposal>(
  fn: Scorer<P>,
  config: ScoreConfig = {},
): OperatorFunction<P, Scored<P>> {
  const settings = {
    minProposals: config.minProposals ?? 0,
    maxWait: checkDuration('score', 'maxWait', config.maxWait),
    concurrency: checkCount('score', 'concurrency', config.concurrency ?? Infinity),
    scheduler: config.scheduler ?? asyncScheduler,
    onEvent: config.onEvent,
  };
  if (!(settings.minProposals >= 0)) throw new RangeError('score: minProposals must be >= 0');
  return (source) => runScore(source, fn, settings);
}

/** The options of {@link score}. */
export interface ScoreConfig {
  /**
   * Emit nothing until this many proposals have been scored and kept (dropped ones do not
   * count), unless `maxWait` passes first or the source completes; then release them best-first.
   * @default 0 (no hold-back)
   */
  minProposals?: number;
  /**
   * Stop waiting for `minProposals` after this many milliseconds from subscription. Without
   * `minProposals` it has no effect.
   * @default undefined (wait for `minProposals` or the source's completion)
   */
  maxWait?: number;
  /**
   * How many asynchronous scorings run at once; further proposals queue in arrival order.
   * @default Infinity
   */
  concurrency?: number;
  /**
   * The scheduler of the `maxWait` timer and of the clock expiry is checked against.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /** Receives `proposalDropped` events. */
  onEvent?: OnOperatorEvent;
}
