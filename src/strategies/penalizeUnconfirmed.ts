import { Observable, type OperatorFunction, filter, from, isObservable, map } from 'rxjs';
import { isAgreementNotApprovedError } from '../errors/AgreementNotApprovedError.js';
import type { OperatorEvent } from '../operators/events.js';
import type { OfferProposal } from '../ports/index.js';
import { type ScoreConfig, type ScoreValue, type Scored, type Scorer, score } from '../operators/score.js';
import { isPromiseLike } from '../rx/isPromiseLike.js';

function checkFactor(factor: number): void {
  if (!(Number.isFinite(factor) && factor >= 0)) {
    throw new RangeError(`penalizeUnconfirmed: factor must be finite and >= 0, got ${String(factor)}`);
  }
}

/**
 * A scorer that multiplies the base score by `factor` for the providers `isPenalized` names,
 * whatever the base returns (a number, a Promise or an Observable). Stateless: the state is the
 * caller's, behind `isPenalized`.
 *
 * @example
 * ```ts
 * const slow = new Set<string>();
 * const strategy = penalizeProviders(leastExpensiveLinearPayu(), 0.5, (id) => slow.has(id));
 * ```
 *
 * @see {@link penalizeUnconfirmed}
 */
export function penalizeProviders<P extends OfferProposal>(
  base: Scorer<P>,
  factor: number,
  isPenalized: (providerId: string) => boolean,
): Scorer<P> {
  checkFactor(factor);
  return (proposal) => {
    const lower = (value: ScoreValue): ScoreValue =>
      typeof value === 'number' && value >= 0 && isPenalized(proposal.providerId) ? value * factor : value;
    const result = base(proposal);
    if (isObservable(result)) return result.pipe(map(lower));
    if (isPromiseLike(result)) return from(result).pipe(map(lower));
    return lower(result);
  };
}

/**
 * `score(base)` that lowers the score of providers which did not approve an agreement: their
 * proposals score `base × factor` until they approve one again (yapapi's
 * `DecreaseScoreForUnconfirmedAgreement`).
 *
 * <span class="informal">The memory of who did not approve is per subscription: each subscription
 * subscribes to `notApproved$` (and `approved$`) before its source, keeps its own set, and
 * unsubscribes both when it ends. Nothing is global; two pipelines never share it.</span>
 *
 * ```text
 * notApproved$: ---x----------     provider x did not approve (e.g. from createAgreement's events)
 * source:       -a----b----|       a and b from provider x, base score 1; factor 0.5
 * result:       -A----B----|       A = { a, score: 1 }, B = { b, score: 0.5 }
 * ```
 *
 * Cold, completing with `score` (the signal streams may go on: they are unsubscribed then).
 * Errors: as `score` (`ScoringError`), plus what `notApproved$` or `approved$` error with. Feed
 * `notApproved$` from {@link notApprovedProviders} over the `onEvent` of `createAgreement`, or from
 * the node's agreement events (`AgreementRejectedEvent`).
 *
 * @typeParam B - the proposals `base` rates.
 * @typeParam P - the proposals of the source (inferred from the pipe; by default `B`).
 * @param base - the scorer to adjust.
 * @param factor - the multiplier for providers that did not approve, `>= 0` (e.g. `0.5`).
 * @param config - the signals, and the options of `score`.
 * @returns an operator from proposals to scored proposals, for `negotiate`.
 *
 * @example
 * ```ts
 * const events = new Subject<OperatorEvent>();
 * proposals$.pipe(
 *   penalizeUnconfirmed(leastExpensiveLinearPayu(), 0.5, { notApproved$: notApprovedProviders(events) }),
 *   negotiate(4),
 *   createAgreement({ onEvent: (e) => events.next(e) }),
 * );
 * ```
 *
 * @see {@link penalizeProviders}
 * @see {@link notApprovedProviders}
 */
export function penalizeUnconfirmed<B extends OfferProposal, P extends B = B>(
  base: Scorer<B>,
  factor: number,
  config: PenalizeUnconfirmedConfig,
): OperatorFunction<P, Scored<P>> {
  checkFactor(factor);
  const { notApproved$, approved$, ...scoreConfig } = config;
  return (source) =>
    new Observable<Scored<P>>((subscriber) => {
      const unconfirmed = new Set<string>();
      subscriber.add(
        notApproved$.subscribe({
          next: (providerId) => unconfirmed.add(providerId),
          error: (error: unknown) => subscriber.error(error),
        }),
      );
      if (approved$) {
        subscriber.add(
          approved$.subscribe({
            next: (providerId) => unconfirmed.delete(providerId),
            error: (error: unknown) => subscriber.error(error),
          }),
        );
      }
      if (subscriber.closed) return;
      const scorer: Scorer<P> = penalizeProviders(base, factor, (id) => unconfirmed.has(id));
      // Subscribing the subscriber itself chains the two before the source starts (firehose-safe).
      source.pipe(score(scorer, scoreConfig)).subscribe(subscriber);
    });
}

/** The options of {@link penalizeUnconfirmed}: its signals, then those of `score`. */
export interface PenalizeUnconfirmedConfig extends ScoreConfig {
  /** The providers that did not approve an agreement, one id per failure. */
  readonly notApproved$: Observable<string>;
  /**
   * The providers that approved an agreement: they are no longer penalized.
   * @default undefined (once penalized, penalized for the subscription's life)
   */
  readonly approved$?: Observable<string>;
}

/**
 * The providers of the agreements that failed for want of the provider's approval (rejected,
 * expired or timed out, not cancelled by us), from the {@link OperatorEvent}s of
 * `createAgreement`: the `notApproved$` of {@link penalizeUnconfirmed}.
 *
 * @example
 * ```ts
 * const events = new Subject<OperatorEvent>();
 * const notApproved$ = notApprovedProviders(events);
 * ```
 */
export function notApprovedProviders(events$: Observable<OperatorEvent>): Observable<string> {
  return events$.pipe(
    filter(
      (event): event is Extract<OperatorEvent, { type: 'agreementFailed' }> =>
        event.type === 'agreementFailed' &&
        isAgreementNotApprovedError(event.error) &&
        event.error.outcome !== 'Cancelled',
    ),
    map((event) => event.draft.providerId),
  );
}
