/**
 * The negotiation ports: a provider's offer (`OfferProposal`) and its answer to our
 * counter-proposal (`DraftProposal`), what `score`, `negotiate` and `createAgreement` call.
 * `src/resources`' `Proposal` implements both. The contract of every method is in `./index.ts`.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { AgreementPort } from './rental.js';

/**
 * A provider's offer matched to our demand (yagna state `Initial`): what `score` rates and
 * `negotiate` counters.
 *
 * @typeParam D - the draft its `respond` yields, so that types flow through the pipeline.
 */
export interface OfferProposal<D extends DraftProposal = DraftProposal> {
  /** The proposal id (yagna's `proposalId`). */
  readonly id: string;
  /** The provider's node id (yagna's `issuerId`). */
  readonly providerId: string;
  /** The offer's flat properties (`golem.inf.*`, `golem.com.*`, …). */
  readonly properties: Readonly<Record<string, unknown>>;
  /**
   * When the offer expires, in milliseconds since the epoch (e.g. from
   * `golem.proposal.expiration`); compared against the operators' `scheduler.now()`.
   * Absent: it does not expire.
   */
  readonly expiresAt?: number;
  /**
   * Sends a counter-proposal and waits for the provider's answer: emits the provider's
   * `Draft` and completes. Errors with `ProposalRejectedError` when the provider rejects the
   * counter-proposal. Without arguments the port counters with the demand's own properties
   * and constraints (plus whatever it must negotiate, e.g. the payment platform).
   */
  respond(properties?: Record<string, unknown>, constraints?: string): Observable<D>;
  /** Tells the provider we will not negotiate further (yagna's `rejectProposalOffer`). */
  reject(reason: string): Observable<void>;
}

/**
 * The provider's answer to our counter-proposal (yagna state `Draft`): an agreement can be made
 * from it.
 *
 * @typeParam A - the agreement its `createAgreement` yields.
 */
export interface DraftProposal<A extends AgreementPort = AgreementPort> {
  /** The draft's proposal id. */
  readonly id: string;
  /** The provider's node id. */
  readonly providerId: string;
  /** The properties the provider agreed to. */
  readonly properties: Readonly<Record<string, unknown>>;
  /**
   * Creates an agreement from this draft (yagna's `createAgreement`; state `Proposal`, not yet
   * confirmed): emits it and completes. `validTo` is in milliseconds since the epoch; absent,
   * the port applies its own default.
   */
  createAgreement(options: { validTo?: number }): Observable<A>;
  /** Rejects the draft (yagna's `rejectProposalOffer`): we will not sign it. */
  reject(reason: string): Observable<void>;
}

/** The draft type an offer's `respond` yields. */
export type DraftOf<P extends OfferProposal> =
  P extends OfferProposal<infer D extends DraftProposal> ? D : DraftProposal;

/** The agreement type a draft's `createAgreement` yields. */
export type AgreementOf<D extends DraftProposal> =
  D extends DraftProposal<infer A extends AgreementPort> ? A : AgreementPort;
