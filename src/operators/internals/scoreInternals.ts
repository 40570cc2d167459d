/**
 * The state machine of `score`: eager intake, bounded concurrent scoring, the hold-back heap
 * that opens at `minProposals` or `maxWait`, and completion after the last scoring.
 *
 * @module
 */
import { Observable, type SchedulerLike, Subscription, from, isObservable, take } from 'rxjs';
import { ScoringError } from '../errors/ScoringError.js';
import type { OfferProposal } from '../../ports/index.js';
import type { OnOperatorEvent } from '../events.js';
import type { ScoreValue, Scored } from '../score.js';
import { MaxHeap, bestFirst } from './heap.js';
import { eventReporter, isExpired, subscribeUpstream } from './operatorInternals.js';
import { isPromiseLike } from '../../rx/isPromiseLike.js';

/** The settings `score` runs with, resolved. */
export interface ScoreSettings {
  readonly minProposals: number;
  readonly maxWait: number | undefined;
  readonly concurrency: number;
  readonly scheduler: SchedulerLike;
  readonly onEvent: OnOperatorEvent | undefined;
}

interface Held<P extends OfferProposal> extends Scored<P> {
  readonly seq: number;
}

/** Runs `score` on one subscription of `source`. */
export function runScore<P extends OfferProposal>(
  source: Observable<P>,
  fn: (proposal: P) => ScoreValue | PromiseLike<ScoreValue> | Observable<ScoreValue>,
  settings: ScoreSettings,
): Observable<Scored<P>> {
  const { minProposals, maxWait, concurrency, scheduler } = settings;
  return new Observable<Scored<P>>((subscriber) => {
    const report = eventReporter(settings.onEvent, subscriber, scheduler);
    const held = new MaxHeap<Held<P>>(bestFirst);
    const waiting: P[] = [];
    const scorings = new Subscription();
    let active = 0;
    let kept = 0;
    let seq = 0;
    let open = minProposals <= 0;
    let sourceDone = false;
    subscriber.add(scorings);

    const emit = (proposal: P, score: number): void => {
      if (isExpired(proposal, scheduler)) report({ type: 'proposalDropped', proposal, reason: 'expired' });
      else subscriber.next({ proposal, score });
    };
    const openGate = (): void => {
      if (open) return;
      open = true;
      for (let item = held.pop(); item !== undefined && !subscriber.closed; item = held.pop()) {
        emit(item.proposal, item.score);
      }
    };
    const accept = (proposal: P, score: ScoreValue): void => {
      if (typeof score !== 'number' || !(score >= 0)) {
        report({ type: 'proposalDropped', proposal, reason: 'score' });
      } else if (open) {
        emit(proposal, score);
      } else {
        held.push({ proposal, score, seq: seq++ });
        if (++kept >= minProposals) openGate();
      }
    };
    const fail = (proposal: P, cause: unknown): void =>
      subscriber.error(
        new ScoringError({ proposalId: proposal.id, providerId: proposal.providerId }, { cause }),
      );

    const scoreOne = (proposal: P): void => {
      let result: ReturnType<typeof fn>;
      try {
        result = fn(proposal);
      } catch (cause: unknown) {
        fail(proposal, cause);
        return;
      }
      if (!isObservable(result) && !isPromiseLike(result)) {
        accept(proposal, result);
        return;
      }
      active++;
      let value: ScoreValue = null;
      const inner = new Subscription();
      scorings.add(inner);
      inner.add(
        from(result)
          .pipe(take(1))
          .subscribe({
            next: (v) => (value = v),
            error: (cause: unknown) => fail(proposal, cause),
            complete: () => {
              active--;
              scorings.remove(inner);
              accept(proposal, value);
              drain();
            },
          }),
      );
    };
    const drain = (): void => {
      while (!subscriber.closed && active < concurrency && waiting.length > 0) scoreOne(waiting.shift()!);
      if (!subscriber.closed && sourceDone && active === 0 && waiting.length === 0) {
        openGate();
        subscriber.complete();
      }
    };

    if (!open && maxWait !== undefined) subscriber.add(scheduler.schedule(openGate, maxWait));
    subscribeUpstream(source, subscriber, {
      next: (proposal) => {
        if (isExpired(proposal, scheduler)) {
          report({ type: 'proposalDropped', proposal, reason: 'expired' });
          return;
        }
        waiting.push(proposal);
        drain();
      },
      complete: () => {
        sourceDone = true;
        drain();
      },
    });
  });
}
