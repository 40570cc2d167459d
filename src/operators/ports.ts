/**
 * The ports of the spending operators: the few methods `score`, `negotiate`, `createAgreement`
 * and `createActivity` call on the resources they handle. The resource layer (`src/resources`)
 * implements them over the yagna client; marble tests stub them with `cold()` Observables
 * (see `fakeOfferProposal` & co. in `golem-rx/testing`).
 *
 * The contract of every method:
 * - it returns a **cold** Observable: nothing is sent before it is subscribed, and every
 *   subscription sends the request again;
 * - unsubscribing while a reading call or a long-poll is in flight (e.g. `waitForApproval`)
 *   aborts it (an `AbortSignal` on the HTTP call);
 * - unsubscribing never aborts a call that creates something to be released later
 *   (`createAgreement`, `createActivity`): on the real resources the POST runs to its end apart
 *   from the subscriber, and what it created is released in the background (the agreement
 *   cancelled, the activity destroyed), because aborting a POST that may already have reached
 *   yagna could leave an agreement or an activity behind that nobody knows of. The subscriber
 *   receives nothing more either way. `respond` is not such a call: unsubscribing stops its wait
 *   for the provider's answer and aborts its counter-proposal POST if still in flight (a
 *   counter-proposal commits to nothing);
 * - a call that produces something emits it once and completes; a call that produces nothing
 *   (`Observable<void>`) completes on success (it may emit `undefined` first);
 * - failures are errors on that Observable, typed where the contract names a class.
 *
 * @module
 */
import type { Observable } from 'rxjs';

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

/**
 * An agreement between us and one provider.
 *
 * @typeParam T - the activity its `createActivity` yields.
 */
export interface AgreementPort<T extends ActivityPort = ActivityPort> {
  /** The agreement id. */
  readonly id: string;
  /** The provider's node id. */
  readonly providerId: string;
  /** Signs the agreement and sends it to the provider (state `Pending`). Completes on success. */
  confirm(): Observable<void>;
  /**
   * Waits for the provider's decision: completes when the agreement is approved; errors with
   * `AgreementNotApprovedError` when it is rejected, cancelled or expired, or when `timeout`
   * milliseconds pass undecided (outcome `Timeout`). The operators enforce the timeout with their
   * scheduler as well, so a port may re-issue yagna's long-poll until then.
   */
  waitForApproval(timeout: number): Observable<void>;
  /** Withdraws a not-yet-approved agreement (states `Proposal` / `Pending`). Completes on success. */
  cancel(reason: string): Observable<void>;
  /** Ends an approved agreement (state `Approved`). Completes on success. */
  terminate(reason: string): Observable<void>;
  /** Creates an activity on this agreement (not deployed yet): emits it and completes. */
  createActivity(): Observable<T>;
}

/** An activity: an execution environment on the provider, bound to one agreement. */
export interface ActivityPort {
  /** The activity id. */
  readonly id: string;
  /** The agreement it runs under. */
  readonly agreement: AgreementPort;
  /** Deploys and starts the exe-unit. Completes when the activity is ready to run commands. */
  deployAndStart(): Observable<void>;
  /** Destroys the activity (yagna's `destroyActivity`). Completes on success. */
  destroy(): Observable<void>;
}

/** The draft type an offer's `respond` yields. */
export type DraftOf<P extends OfferProposal> =
  P extends OfferProposal<infer D extends DraftProposal> ? D : DraftProposal;

/** The agreement type a draft's `createAgreement` yields. */
export type AgreementOf<D extends DraftProposal> =
  D extends DraftProposal<infer A extends AgreementPort> ? A : AgreementPort;

/** The activity type an agreement's `createActivity` yields. */
export type ActivityOf<A extends AgreementPort> =
  A extends AgreementPort<infer T extends ActivityPort> ? T : ActivityPort;
