/** The market's in-memory records and their wire forms. */
import type { Subject } from 'rxjs';
import type {
  AgreementDto,
  AgreementState,
  AgreementTerminationReasonDto,
  Properties,
  ProposalDto,
  ProposalState,
  ReasonDto,
} from 'golem-rx';
import type { Stamp } from '../clock.js';
import type { SimulatedProvider } from '../providers/types.js';
import type { Constraint } from './constraints.js';
import type { MarketEventQueue } from './eventQueue.js';

/** A demand subscription. */
export interface DemandRecord {
  readonly id: string;
  readonly properties: Readonly<Properties>;
  readonly constraints: string;
  readonly parsed: Constraint;
  readonly timestamp: string;
  /** ms since epoch on the devnet clock; the subscription is gone after it (yagna: 1 h). */
  readonly expiresAtMs: number;
  expired: boolean;
  /** collectOffers' consuming queue (events serialised when queued). */
  readonly queue: MarketEventQueue;
  /** Emits when the queue grows (or the subscription ends). */
  readonly wake: Subject<void>;
  /** Ids of every proposal of this subscription (both sides), removed with it. */
  readonly proposalIds: string[];
}

/** A proposal: an offer-side one from a provider, or one of our counter-proposals. */
export interface ProposalRecord {
  readonly id: string;
  readonly demandId: string;
  readonly provider: SimulatedProvider;
  readonly issuer: 'provider' | 'requestor';
  readonly properties: Readonly<Properties>;
  readonly constraints: string;
  readonly parsed: Constraint;
  readonly timestamp: string;
  readonly prevProposalId?: string;
  state: ProposalState;
  /** Countered already (a proposal can be countered once). */
  countered: boolean;
}

/** An agreement and its lifecycle. */
export interface AgreementRecord {
  readonly id: string;
  readonly demandId: string;
  readonly provider: SimulatedProvider;
  /** Our last (counter-)proposal, the demand side of the agreement. */
  readonly demandProposal: ProposalRecord;
  /** The provider's Draft the agreement was made from. */
  readonly offerProposal: ProposalRecord;
  readonly validToMs: number;
  readonly created: Stamp;
  state: AgreementState;
  appSessionId?: string;
  approvedAtMs?: number;
  approvedDate?: string;
  termination?: AgreementTerminationReasonDto;
  /** Why it was rejected or cancelled, for the events. */
  reason?: ReasonDto;
}

/** The wire form of a proposal. */
export function proposalDto(p: ProposalRecord, requestorId: string): ProposalDto {
  const dto: ProposalDto = {
    properties: p.properties,
    constraints: p.constraints,
    proposalId: p.id,
    issuerId: p.issuer === 'provider' ? p.provider.id : requestorId,
    state: p.state,
    timestamp: p.timestamp,
  };
  if (p.prevProposalId !== undefined) dto.prevProposalId = p.prevProposalId;
  return dto;
}

/** The wire form of an agreement. */
export function agreementDto(a: AgreementRecord, requestorId: string): AgreementDto {
  const dto: AgreementDto = {
    agreementId: a.id,
    demand: {
      properties: a.demandProposal.properties,
      constraints: a.demandProposal.constraints,
      demandId: a.demandId,
      requestorId,
      timestamp: a.demandProposal.timestamp,
    },
    offer: {
      properties: a.offerProposal.properties,
      constraints: a.offerProposal.constraints,
      offerId: a.provider.offerId,
      providerId: a.provider.id,
      timestamp: a.offerProposal.timestamp,
    },
    validTo: new Date(a.validToMs).toISOString(),
    state: a.state,
    timestamp: a.created.iso,
  };
  if (a.approvedDate !== undefined) dto.approvedDate = a.approvedDate;
  if (a.appSessionId !== undefined) dto.appSessionId = a.appSessionId;
  if (a.state !== 'Proposal') dto.proposedSignature = 'NoSignature';
  if (a.approvedDate !== undefined) dto.approvedSignature = 'NoSignature';
  return dto;
}
