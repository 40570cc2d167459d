/**
 * The state machine of `negotiate(n)`: a best-first heap of candidates, counter-proposals in
 * flight, and leases of emitted drafts, with the invariant `negotiating + leased <= n`.
 *
 * @module
 */
import { Observable, type SchedulerLike, Subscription, defer, take } from 'rxjs';
import { CounterProposalError } from '../errors/CounterProposalError.js';
import { EmptyResponseError } from '../../errors/EmptyResponseError.js';
import type { DraftOf, OfferProposal } from '../../ports/index.js';
import type { OnOperatorEvent } from '../events.js';
import { type NegotiatedDraft, createLease } from '../lease.js';
import { type Candidate, Candidates } from './candidates.js';
import { eventReporter, isExpired, subscribeUpstream } from './operatorInternals.js';
import type { CounterProposal } from '../negotiate.js';
import type { Scored } from '../score.js';

/** The settings `negotiate` runs with, resolved. */
export interface NegotiateSettings<P> {
  readonly concurrency: number;
  readonly distinctProviders: boolean;
  readonly respond: ((proposal: P, score: number) => CounterProposal | undefined) | undefined;
  readonly scheduler: SchedulerLike;
  readonly onEvent: OnOperatorEvent | undefined;
}

function isScored<P extends OfferProposal>(item: P | Scored<P>): item is Scored<P> {
  return (
    'proposal' in item && 'score' in item && typeof (item as { respond?: unknown }).respond !== 'function'
  );
}

/** Runs `negotiate` on one subscription of `source`. */
export function runNegotiate<P extends OfferProposal>(
  source: Observable<P | Scored<P>>,
  settings: NegotiateSettings<P>,
): Observable<NegotiatedDraft<DraftOf<P>, P>> {
  const { concurrency: n, respond, scheduler } = settings;
  return new Observable<NegotiatedDraft<DraftOf<P>, P>>((subscriber) => {
    const report = eventReporter(settings.onEvent, subscriber, scheduler);
    const candidates = new Candidates<P>(settings.distinctProviders, (candidate, reason) =>
      report({ type: 'proposalDropped', proposal: candidate.proposal, reason }),
    );
    const counters = new Subscription();
    let negotiating = 0;
    let leased = 0;
    let seq = 0;
    let sourceDone = false;
    let pumping = false;
    subscriber.add(counters);

    const settle = (inner: Subscription): void => {
      negotiating--;
      counters.remove(inner);
    };
    const counter = ({ proposal, score }: Candidate<P>): void => {
      let args: CounterProposal | undefined;
      try {
        args = respond?.(proposal, score);
      } catch (cause: unknown) {
        subscriber.error(
          new CounterProposalError({ proposalId: proposal.id, providerId: proposal.providerId }, { cause }),
        );
        return;
      }
      negotiating++;
      let answered = false;
      const inner = new Subscription();
      counters.add(inner);
      inner.add(
        defer(() => proposal.respond(args?.properties, args?.constraints) as Observable<DraftOf<P>>)
          .pipe(take(1))
          .subscribe({
            next: (draft) => {
              answered = true;
              settle(inner);
              candidates.settled(proposal.providerId, true);
              leased++;
              const lease = createLease(() => {
                leased--;
                pump();
              });
              subscriber.next({ draft, offer: proposal, score, lease });
              pump(); // may complete: that was the last counter of a completed source
            },
            error: (error: unknown) => {
              settle(inner);
              candidates.settled(proposal.providerId, false);
              report({ type: 'counterFailed', proposal, error });
              pump();
            },
            complete: () => {
              if (answered) return;
              settle(inner);
              candidates.settled(proposal.providerId, false);
              const error = new EmptyResponseError({ operation: 'respond', resourceId: proposal.id });
              report({ type: 'counterFailed', proposal, error });
              pump();
            },
          }),
      );
    };
    // Starts the best candidates while slots are free. Re-entrant calls (a draft whose lease is
    // released synchronously downstream) return at once: the running loop re-reads the state.
    const pump = (): void => {
      if (pumping || subscriber.closed) return;
      pumping = true;
      try {
        while (!subscriber.closed && negotiating + leased < n) {
          const candidate = candidates.take((proposal) => isExpired(proposal, scheduler));
          if (candidate === undefined) break;
          counter(candidate);
        }
      } finally {
        pumping = false;
      }
      if (sourceDone && negotiating === 0 && candidates.size === 0) subscriber.complete();
    };

    subscribeUpstream(source, subscriber, {
      next: (item) => {
        const { proposal, score } = isScored(item) ? item : { proposal: item, score: 0 };
        candidates.add({ proposal, score, seq: seq++ });
        pump();
      },
      complete: () => {
        sourceDone = true;
        pump();
      },
    });
  });
}
