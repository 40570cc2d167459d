import { type MonoTypeOperatorFunction, type Observable, Subject, tap } from 'rxjs';
import type { OnOperatorEvent, OperatorEvent } from '../operators/events.js';
import type { CounterProposal } from '../operators/negotiate.js';
import type { Scored } from '../operators/score.js';
import type { OfferProposal } from '../ports/index.js';
import { ProposalCountered, ProposalScored } from './events.js';
import type { StatusEvent } from './statusModel.js';

/**
 * Collects, for the status model, what the event bus does not carry: the operators'
 * {@link OperatorEvent}s, the scores `score` gives, and the counter-proposals `negotiate` sends.
 * Hand its hooks to the operators and its `events$` to the status store beside `node.events`.
 *
 * @example
 * ```ts
 * const feed = new StatusFeed();
 * const status = createStatusStore([node.events, feed, registry]);
 * node.demand$({ payload }).pipe(
 *   score(byPrice, { onEvent: feed.onEvent }),
 *   feed.scored(),
 *   negotiate(4, { respond: feed.respond(), onEvent: feed.onEvent }),
 *   createAgreement({ onEvent: feed.onEvent }),
 * );
 * ```
 */
export class StatusFeed {
  private readonly subject = new Subject<StatusEvent>();

  /** Every event given to the feed. Hot; replays nothing; completes on {@link complete}. */
  readonly events$: Observable<StatusEvent> = this.subject.asObservable();

  /** An operator's `onEvent` hook: forwards its {@link OperatorEvent}s. Never throws. */
  readonly onEvent: OnOperatorEvent = (event: OperatorEvent): void => {
    this.subject.next(event);
  };

  /** Adds any event (a bus event, your own `{ type }`). */
  emit(event: StatusEvent): void {
    this.subject.next(event);
  }

  /**
   * Put right after `score(...)`: reports each scored proposal as `ProposalScored` and passes it on.
   * @returns a pass-through operator
   */
  scored<P extends OfferProposal>(): MonoTypeOperatorFunction<Scored<P>> {
    return tap((item: Scored<P>) => this.subject.next(new ProposalScored(item.proposal, item.score)));
  }

  /**
   * A `respond` hook for `negotiate`: reports each counter-proposal as `ProposalCountered`, then
   * builds it with `inner` (or lets the port use the demand's own when absent).
   * @param inner your own `respond`, if any
   * @returns the hook
   */
  respond<P extends OfferProposal>(
    inner?: (proposal: P, score: number) => CounterProposal | undefined,
  ): (proposal: P, score: number) => CounterProposal | undefined {
    return (proposal, score) => {
      this.subject.next(new ProposalCountered(proposal, score));
      return inner?.(proposal, score);
    };
  }

  /** Completes `events$`. */
  complete(): void {
    this.subject.complete();
  }
}
