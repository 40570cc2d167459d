import { EMPTY, type Observable, concatMap, defer, filter, forkJoin, map, take, throwIfEmpty } from 'rxjs';
import type { MarketEventDto, Properties, ProposalDto, ReasonDto } from '../api/types/index.js';
import { ResourceChangePossible } from '../bus/events.js';
import { EmptyResponseError } from '../errors/EmptyResponseError.js';
import { ProposalRejectedError } from './errors/ProposalRejectedError.js';
import type { DraftProposal, OfferProposal } from '../ports/index.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import type { Agreement } from './Agreement.js';
import type { Demand } from './Demand.js';
import { alongside } from '../rx/alongside.js';
import { UNWANTED, createOrRelease, inBackground, onSuccess, voidCall } from './internals.js';
import { PROPERTY, buildCounterProposal } from './payload.js';
import { Resource } from './Resource.js';

/** The default of {@link Proposal.createAgreement}'s `validFor`: one hour, as golem-js. */
export const DEFAULT_AGREEMENT_VALID_FOR_MS = 3_600_000;

/** Options of {@link Proposal.createAgreement}. */
export interface CreateAgreementOptions {
  /** yagna's `validTo`, ms since the epoch: the agreement must be approved before it (the port's option). */
  validTo?: number;
  /**
   * `validTo` as a duration from now (the node's scheduler), in ms; ignored when `validTo` is given.
   * @default 3_600_000
   */
  validFor?: number;
  /**
   * Terminate (or cancel) the agreement when the node closes.
   * @default true
   */
  autoclose?: boolean;
}

/**
 * A proposal in a negotiation under one demand: a provider's initial offer (`initial`), our
 * counter-proposal to it, or the provider's answer to ours (`draft`s both). Arrives on
 * `demand.proposals$` / `node.proposals$`; by id with `node.proposal(id, demandId)`.
 *
 * The tree: an initial proposal's parent is the demand; a counter-proposal's parent is the
 * proposal it answers. A proposal's children are the counter-proposals to it and the agreement
 * made from it. Data: `ProposalDto`; events: the raw `collectOffers` events about it.
 *
 * It implements the operator ports {@link OfferProposal} and {@link DraftProposal}, so
 * `demand.proposals$.pipe(score(fn), negotiate(4), createAgreement(), createActivity())` works on it.
 *
 * @example
 * ```ts
 * const offer = await firstValueFrom(demand.proposals$);
 * const draft = await offer.respond();                 // counter, wait for the provider's answer
 * const agreement = await draft.createAgreement();
 * ```
 */
export class Proposal
  extends Resource<ProposalDto, MarketEventDto>
  implements OfferProposal<Proposal>, DraftProposal<Agreement>
{
  /** The resource kind on the bus. */
  static readonly kind = 'Proposal';
  readonly kind = 'Proposal';

  private isRejected = false;
  private isOurs = false;
  private rejection: ReasonDto | undefined;

  /**
   * Made by the node's factory only (`node.proposal(id, demandId)`).
   * @param node the node
   * @param id the proposal id
   * @param demandId the demand it belongs to
   */
  constructor(
    node: Demand['node'],
    id: string,
    readonly demandId: string,
  ) {
    super(node, id);
  }

  protected fetchData(signal: AbortSignal): CallResult<ProposalDto> {
    return this.node.api.market.getProposalOffer(this.demandId, this.id, { signal });
  }

  /** The demand this proposal belongs to. */
  get demand(): Demand {
    return this.node.demand(this.demandId);
  }

  /** The demand (initial proposals) or the proposal this one answers (`undefined` while unknown). */
  override get parent(): Demand | Proposal | undefined {
    return super.parent as Demand | Proposal | undefined;
  }

  /** Counter-proposals to this proposal, and the agreement made from it. */
  override get children(): readonly (Proposal | Agreement)[] {
    return super.children as readonly (Proposal | Agreement)[];
  }

  /** The existing children, then new ones; completes when no more can come. */
  override get children$(): Observable<Proposal | Agreement> {
    return super.children$ as Observable<Proposal | Agreement>;
  }

  /** Is it a provider's offer matched directly to the demand (no previous proposal)? Needs data. */
  get initial(): boolean {
    return !this.isOurs && this.data.prevProposalId === undefined;
  }

  /** Is it a response to another proposal (ours to an offer, or the provider's to ours)? */
  get draft(): boolean {
    return this.isOurs || this.data.prevProposalId !== undefined;
  }

  /** Was it rejected (by the provider, or by us)? A rejected proposal gets no more responses. */
  get rejected(): boolean {
    return this.isRejected;
  }

  /** The reason given with the rejection, if any. */
  get rejectionReason(): ReasonDto | undefined {
    return this.rejection;
  }

  /** Is it our counter-proposal (issued by this node)? */
  get ours(): boolean {
    return this.isOurs;
  }

  /** The provider's node id (for our counter-proposals: the provider we negotiate with). */
  get providerId(): string {
    if (this.isOurs && this.parent instanceof Proposal) return this.parent.providerId;
    return this.data.issuerId;
  }

  /** The proposal's flat properties (needs data). */
  get properties(): Readonly<Properties> {
    return this.data.properties;
  }

  /** `golem.proposal.expiration` (ms since the epoch), when the provider sets it. */
  get expiresAt(): number | undefined {
    const value = this.hasData ? this.data.properties[PROPERTY.proposalExpiration] : undefined;
    return typeof value === 'number' ? value : undefined;
  }

  /**
   * The responses to this proposal: the existing ones, then new ones, running the demand's poll
   * while subscribed. Completes when no more can come (rejected, an agreement made, the demand
   * closed).
   */
  get responses$(): Observable<Proposal> {
    return alongside(
      this.children$.pipe(filter((child): child is Proposal => child instanceof Proposal)),
      this.demand.collecting$,
    );
  }

  /**
   * Sends our counter-proposal (`POST /demands/{id}/proposals/{proposalId}`): the demand's
   * properties with the payment platform chosen from the allocations' platforms the offer
   * accepts and the negotiable terms adjusted to the provider's limits, then `properties` on top;
   * the demand's constraints unless `constraints` is given.
   *
   * @returns a cold, awaitable {@link Action} of our counter-proposal (a child of this one)
   */
  counter(properties?: Record<string, unknown>, constraints?: string): Action<Proposal> {
    return action(
      forkJoin([this.demand.body$(), this.ensureData$()]).pipe(
        concatMap(([body, offer]) => {
          const counter = buildCounterProposal(body, offer.properties, properties, constraints);
          return fromCall((signal) =>
            this.node.api.market.counterProposalDemand(this.demandId, this.id, counter, { signal }),
          );
        }),
        map((id) => {
          const ours = this.node.proposal(id, this.demandId);
          ours.isOurs = true;
          ours.attachTo(this);
          return ours;
        }),
      ),
    );
  }

  /**
   * The port of `negotiate`: sends our counter-proposal (see {@link counter}) and waits for the
   * provider's answer, a `draft` proposal. Errors with `ProposalRejectedError` when the provider
   * rejects it, `EmptyResponseError` when the demand closes first.
   *
   * @returns a cold, awaitable {@link Action} of the provider's draft
   */
  respond(properties?: Record<string, unknown>, constraints?: string): Action<Proposal> {
    return action(
      this.counter(properties, constraints).pipe(
        concatMap((ours) =>
          ours.responses$.pipe(
            take(1),
            throwIfEmpty(() =>
              ours.rejected
                ? new ProposalRejectedError({
                    proposalId: this.id,
                    providerId: this.providerId,
                    reason: ours.rejection?.message,
                    isFinal: ours.rejection?.['golem.proposal.rejection.is-final'] === true,
                  })
                : new EmptyResponseError({ operation: 'respond', resourceId: this.id }),
            ),
          ),
        ),
      ),
    );
  }

  /**
   * Rejects the proposal (`POST …/reject`): we will not negotiate it further. Emits
   * `ResourceChangePossible` for it. Completes without a call when its demand is being
   * unsubscribed or is gone (the market drops the demand's proposals with it).
   *
   * @returns a cold, awaitable {@link Action} that completes when yagna took the rejection
   */
  reject(reason = 'No longer needed'): Action<void> {
    return action(
      defer(() =>
        // A demand being unsubscribed takes its proposals with it: nothing to tell the provider.
        this.demand.withdrawn
          ? EMPTY
          : voidCall((signal) =>
              this.node.api.market.rejectProposalOffer(
                this.demandId,
                this.id,
                { message: reason },
                { signal },
              ),
            ).pipe(onSuccess(() => this.markRejected({ message: reason }))),
      ),
    );
  }

  /**
   * Makes an agreement from this draft (`POST /agreements`, state `Proposal`, not confirmed yet).
   * yagna requires a provider's `draft` (one round of counter-proposals). Emits
   * `ResourceChangePossible` for the proposal. Unsubscribing while the request is in flight does
   * not abort it: the agreement it makes is cancelled in the background instead of leaking.
   *
   * @returns a cold, awaitable {@link Action} of the {@link Agreement} (a child of this proposal)
   */
  createAgreement(options: CreateAgreementOptions = {}): Action<Agreement> {
    return action(
      defer(() => {
        const validTo =
          options.validTo ?? this.node.scheduler.now() + (options.validFor ?? DEFAULT_AGREEMENT_VALID_FOR_MS);
        const providerId = this.providerId;
        const create$ = fromCall((signal) =>
          this.node.api.market.createAgreement(
            { proposalId: this.id, validTo: new Date(validTo) },
            { signal },
          ),
        ).pipe(
          map((id) => {
            const agreement = this.node.agreement(id);
            agreement.setProvider(providerId);
            agreement.attachTo(this);
            if (options.autoclose ?? true) this.node.autoclose(agreement);
            this.endChildren();
            this.node.events.emit(new ResourceChangePossible(this));
            return agreement;
          }),
        );
        return createOrRelease(this.node, create$, (agreement) =>
          inBackground(agreement, 'cancel', agreement.cancel(UNWANTED)),
        );
      }),
    );
  }

  /**
   * Marks the proposal rejected (by the provider's `ProposalRejectedEvent`, or by us) and ends
   * its responses. Emits `ResourceChangePossible` once.
   * @internal
   */
  markRejected(reason?: ReasonDto): void {
    if (this.isRejected) return;
    this.isRejected = true;
    this.rejection = reason;
    this.endChildren();
    this.node.events.emit(new ResourceChangePossible(this));
  }
}
