/**
 * Counter-proposals and rejections (M6, M7) and how simulated providers answer them: after a
 * seeded think time, through the demand's event queue, with a Draft (`prevProposalId` = our
 * counter id) or a ProposalRejectedEvent (with `golem.proposal.rejection.is-final`).
 */
import type { ReasonDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { newHashId } from '../random.js';
import { answerCounter, rejection } from '../providers/negotiator.js';
import type { MarketCore, ParsedDemandBody } from './core.js';
import { matchDemandOffer } from './constraints.js';
import type { ProposalRecord } from './records.js';

/** How many agreements a provider holds now (for its capacity limit). */
export type AgreementCount = (providerId: string) => number;

/**
 * Counters the provider's proposal `proposalId` of subscription `demandId` with `body`.
 *
 * @returns our new counter-proposal (state Draft).
 * @throws DevnetHttpError as yagna: 400 own proposal / not matching / not negotiable,
 *   404 unknown, 410 already countered or subscription expired.
 */
export function counterProposal(
  core: MarketCore,
  activeAgreements: AgreementCount,
  demandId: string,
  proposalId: string,
  body: ParsedDemandBody,
): ProposalRecord {
  const demand = core.demands.get(demandId);
  if (demand !== undefined && core.isExpired(demand)) {
    throw new DevnetHttpError(410, `Subscription [${demandId}] expired.`);
  }
  if (demand === undefined) {
    const why = core.unsubscribed.has(demandId) ? 'was unsubscribed' : 'not found';
    throw new DevnetHttpError(400, `Subscription [${demandId}] ${why}.`);
  }
  const offer = core.proposalOf(demandId, proposalId);
  if (offer.issuer === 'requestor') {
    throw new DevnetHttpError(400, `Can't counter own Proposal [${proposalId}].`);
  }
  if (offer.countered) throw new DevnetHttpError(410, `Proposal [${proposalId}] was already countered.`);
  if (offer.state !== 'Initial' && offer.state !== 'Draft') {
    throw new DevnetHttpError(400, `Proposal [${proposalId}] is ${offer.state}, it can't be countered.`);
  }
  const matches = matchDemandOffer(
    { properties: body.properties, constraints: body.parsed },
    { properties: offer.properties, constraints: offer.parsed },
  );
  if (!matches) {
    throw new DevnetHttpError(400, `New Proposal doesn't match Proposal [${proposalId}] it counters.`);
  }
  offer.countered = true;
  const counter: ProposalRecord = {
    id: newHashId(core.ctx.random),
    demandId,
    provider: offer.provider,
    issuer: 'requestor',
    properties: body.properties,
    constraints: body.constraints,
    parsed: body.parsed,
    timestamp: core.clock.stamp().iso,
    prevProposalId: offer.id,
    state: 'Draft',
    countered: false,
  };
  core.addProposal(demand, counter);
  core.counters.proposalsCountered += 1;
  core.schedule(core.delay(core.settings.thinkTimeMs), () =>
    providerAnswers(core, activeAgreements, counter),
  );
  return counter;
}

/** The provider's answer to our counter-proposal, queued on the demand's events. */
function providerAnswers(core: MarketCore, activeAgreements: AgreementCount, counter: ProposalRecord): void {
  if (!core.demands.has(counter.demandId)) return;
  const provider = counter.provider;
  const reject = (reason: ReasonDto): void => {
    counter.state = 'Rejected';
    core.counters.rejectedByProviders += 1;
    core.pushEvent(counter.demandId, {
      eventType: 'ProposalRejectedEvent',
      eventDate: core.clock.stamp().iso,
      proposalId: counter.id,
      reason,
    });
  };
  if (core.ctx.faults.providerHas('rejectCounter', provider) !== undefined) {
    reject(rejection('Provider rejected the counter-proposal (devnet fault rejectCounter)', false));
    return;
  }
  const limit = core.settings.maxAgreementsPerProvider;
  if (activeAgreements(provider.id) >= limit) {
    reject(rejection(`No capacity available. Reached Agreements limit: ${limit}`, false));
    return;
  }
  const answer = answerCounter(provider, counter.properties, core.clock.nowMs());
  if (answer.kind === 'reject') {
    reject(answer.reason);
    return;
  }
  const stamp = core.clock.stamp();
  const draft: ProposalRecord = {
    id: newHashId(core.ctx.random),
    demandId: counter.demandId,
    provider,
    issuer: 'provider',
    properties: answer.properties,
    constraints: provider.constraints,
    parsed: provider.parsedConstraints,
    timestamp: stamp.iso,
    prevProposalId: counter.id,
    state: 'Draft',
    countered: false,
  };
  const demand = core.demands.get(counter.demandId);
  if (demand === undefined) return;
  core.addProposal(demand, draft);
  core.counters.draftsReceived += 1;
  core.pushEvent(counter.demandId, {
    eventType: 'ProposalEvent',
    eventDate: stamp.iso,
    proposal: core.dto(draft),
  });
}

/**
 * Rejects a provider's proposal (M7). The negotiation chain ends there.
 *
 * @throws DevnetHttpError 400 own proposal, 404 unknown, 410 already rejected or promoted.
 */
export function rejectProposal(core: MarketCore, demandId: string, proposalId: string): void {
  const proposal = core.proposalOf(demandId, proposalId);
  if (proposal.issuer === 'requestor')
    throw new DevnetHttpError(400, `Can't reject own Proposal [${proposalId}].`);
  if (proposal.state === 'Rejected')
    throw new DevnetHttpError(410, `Proposal [${proposalId}] already rejected.`);
  if (proposal.state === 'Accepted') {
    throw new DevnetHttpError(410, `Proposal [${proposalId}] already promoted to an Agreement.`);
  }
  proposal.state = 'Rejected';
  core.counters.rejectedByRequestor += 1;
}
