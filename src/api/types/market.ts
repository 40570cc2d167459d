/** Market API wire types (`/market-api/v1`). */
import type { Properties, ReasonDto, Timestamp } from './common.js';

/** `DemandOfferBase`: the body of subscribeDemand and counterProposalDemand. */
export interface DemandOfferBaseDto {
  properties: Properties;
  constraints: string;
}

/** `Demand` as listed by `GET /demands` and inside an Agreement. */
export interface DemandDto extends DemandOfferBaseDto {
  demandId: string;
  requestorId: string;
  timestamp: Timestamp;
}

/** `Offer` inside an Agreement and in scan results. */
export interface OfferDto extends DemandOfferBaseDto {
  offerId: string;
  providerId: string;
  timestamp: Timestamp;
}

export type ProposalState = 'Initial' | 'Draft' | 'Rejected' | 'Accepted' | 'Expired';

/** `Proposal` (M5 and inside ProposalEvent). */
export interface ProposalDto extends DemandOfferBaseDto {
  proposalId: string;
  issuerId: string;
  state: ProposalState;
  timestamp: Timestamp;
  /** Id of the other side's proposal this one responds to; absent for Initial offers. */
  prevProposalId?: string;
}

export interface ProposalEventDto {
  eventType: 'ProposalEvent';
  eventDate: Timestamp;
  proposal: ProposalDto;
}

export interface ProposalRejectedEventDto {
  eventType: 'ProposalRejectedEvent';
  eventDate: Timestamp;
  /** Id of OUR (counter-)proposal that the provider rejected. */
  proposalId: string;
  reason?: ReasonDto;
}

export interface PropertyQueryEventDto {
  eventType: 'PropertyQueryEvent';
  eventDate: Timestamp;
  propertyQuery: { issuerProperties: Properties; queryId: string; queriedProperties: string[] };
}

/** One event of `GET /demands/{id}/events` (collectOffers). */
export type MarketEventDto = ProposalEventDto | ProposalRejectedEventDto | PropertyQueryEventDto;

/** `NewScan`: the body of `POST /scan` (market scan, §3.9). */
export interface NewScanDto {
  type: 'offer' | 'demand';
  /** Optional filter in the constraint language. */
  constraints?: string;
  /** Seconds an unused scan iterator lives on the server (default 30). */
  timeout?: number;
}

/** `AgreementProposal`: the body of `POST /agreements`. */
export interface AgreementProposalDto {
  proposalId: string;
  validTo: Timestamp;
}

export type AgreementState =
  'Proposal' | 'Pending' | 'Cancelled' | 'Rejected' | 'Approved' | 'Expired' | 'Terminated';

/** `Agreement` (M11). */
export interface AgreementDto {
  agreementId: string;
  demand: DemandDto;
  offer: OfferDto;
  validTo: Timestamp;
  approvedDate?: Timestamp;
  state: AgreementState;
  timestamp: Timestamp;
  appSessionId?: string;
  proposedSignature?: string;
  approvedSignature?: string;
  committedSignature?: string;
}

/** An entry of `GET /agreements` (M9). */
export interface AgreementListEntryDto {
  id: string;
  timestamp: Timestamp;
  approvedDate: Timestamp | null;
  role: 'Requestor' | 'Provider';
}

export type Terminator = 'Requestor' | 'Provider';

export interface AgreementApprovedEventDto {
  eventType: 'AgreementApprovedEvent';
  eventDate: Timestamp;
  agreementId: string;
}
export interface AgreementRejectedEventDto {
  eventType: 'AgreementRejectedEvent';
  eventDate: Timestamp;
  agreementId: string;
  reason?: ReasonDto;
}
export interface AgreementCancelledEventDto {
  eventType: 'AgreementCancelledEvent';
  eventDate: Timestamp;
  agreementId: string;
  reason?: ReasonDto;
}
export interface AgreementTerminatedEventDto {
  eventType: 'AgreementTerminatedEvent';
  eventDate: Timestamp;
  agreementId: string;
  terminator: Terminator;
  signature: string;
  reason?: ReasonDto;
}

/** One event of `GET /agreementEvents` (M16). */
export type AgreementEventDto =
  | AgreementApprovedEventDto
  | AgreementRejectedEventDto
  | AgreementCancelledEventDto
  | AgreementTerminatedEventDto;

/** `GET /agreements/{id}/terminate/reason` (M17, Real: GET, no eventType). */
export interface AgreementTerminationReasonDto {
  eventDate: Timestamp;
  agreementId: string;
  terminator: Terminator;
  signature: string;
  reason?: ReasonDto;
}
