/**
 * What the scheduling core does when the rental chain reports: counts offers for the demand
 * rounds, frees the rental of a provider whose agreement or activity failed (counting the failure),
 * and turns it all into job events.
 *
 * @module
 */
import type { OfferProposal } from '../../ports/index.js';
import type { EngineEvent } from '../events.js';
import type { TaskEngineConfig } from './ports.js';
import type { RentalHooks } from './rentals.js';
import type { RoundTracker } from './RoundTracker.js';

/** What the hooks need of the core. */
export interface HookHost<P extends OfferProposal, D, R> {
  readonly config: TaskEngineConfig<P, D, R>;
  readonly roundTracker: RoundTracker;
  readonly rentals: Set<string>;
  emit(event: EngineEvent<D, R>): void;
  pump(): void;
  providerFailed(providerId: string): void;
}

/** The hooks of the rental chain of one job. */
export function rentalHooks<P extends OfferProposal, D, R>(host: HookHost<P, D, R>): RentalHooks<P> {
  const rentalFailed = (providerId: string, event: EngineEvent<D, R>): void => {
    host.rentals.delete(providerId);
    host.emit(event);
    host.providerFailed(providerId);
    host.pump();
  };
  return {
    roundStarted: (round) => {
      host.roundTracker.roundStarted(host.config.scheduler.now());
      host.emit({ type: 'demandPublished', round });
    },
    offered: (proposal) => {
      host.roundTracker.offer();
      host.emit({ type: 'proposalReceived', proposalId: proposal.id, providerId: proposal.providerId });
    },
    dropped: (proposal, reason, error) => {
      host.roundTracker.settle();
      host.emit({
        type: 'proposalRejected',
        proposalId: proposal.id,
        providerId: proposal.providerId,
        reason,
        error,
      });
      host.pump();
    },
    signed: (agreement) =>
      host.emit({ type: 'agreementSigned', agreementId: agreement.id, providerId: agreement.providerId }),
    signingFailed: (providerId, agreementId, error) =>
      rentalFailed(providerId, { type: 'agreementFailed', providerId, agreementId, error }),
    startFailed: (providerId, agreementId, error) =>
      rentalFailed(providerId, { type: 'activityFailed', providerId, agreementId, error }),
    cleanupFailed: (action, resourceId, error) =>
      host.emit({ type: 'cleanupFailed', action, resourceId, error }),
  };
}
