import { EMPTY, type Observable, defer, ignoreElements, map, merge, of, share, takeUntil, tap } from 'rxjs';
import type { DemandDto, DemandOfferBaseDto, MarketEventDto } from '../api/types/index.js';
import { SourceHealthChanged } from '../bus/events.js';
import { YagnaNotFoundError } from '../api/errors/YagnaNotFoundError.js';
import { consumingQueueSource } from '../sources/consumingQueueSource.js';
import type { LongPollSource } from '../sources/longPoll.js';
import { fromCall } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import type { Allocation } from './Allocation.js';
import { alongside } from '../rx/alongside.js';
import { MAX_EVENTS_PER_COLLECT, deepCollect } from './deepCollect.js';
import { isGone, onSuccess, tolerate, voidCall } from './internals.js';
import { Proposal } from './Proposal.js';
import { Resource } from './Resource.js';

/**
 * A demand published on the market (`POST /market-api/v1/demands`). Created with
 * `node.createDemand(…)` (or `node.demand$(…)`, or by id with `node.demand(id)`). Its children are
 * the providers' initial proposals; their children our counter-proposals, and so on.
 *
 * The demand's long-poll (`collectOffers`, a consuming queue) runs while anyone listens: to
 * `proposals$`, to a `responses$` of one of its proposals, to `node.proposals$`, or the node
 * itself when the demand was created with `autostart`. Every event lands in the tree (a
 * proposal's data, its parent, a rejection) before it is emitted anywhere. A long-poll that comes
 * back full (100 events) is followed by rounds of concurrent immediate collects until the queue
 * is drained (`deepCollect`): 2,000 queued offers arrive in three round trips, not twenty.
 *
 * Data: `DemandDto` (from `GET /demands`); events: none (each `collectOffers` event is recorded on
 * its proposal). Closed by `unsubscribe()`, or when yagna says the subscription is gone (404/410
 * on the poll).
 *
 * @example
 * ```ts
 * const demand = await node.createDemand({ payload, allocations: [allocation] });
 * demand.proposals$.pipe(take(3)).subscribe((p) => console.log(p.providerId, p.properties['golem.inf.cpu.threads']));
 * ```
 */
export class Demand extends Resource<DemandDto, MarketEventDto> {
  /** The resource kind on the bus. */
  static readonly kind = 'Demand';
  readonly kind = 'Demand';

  private body: DemandOfferBaseDto | undefined;
  private isWithdrawing = false;
  private allocationList: readonly Allocation[] | undefined;
  private pollSource: LongPollSource<MarketEventDto> | undefined;
  private collector: Observable<never> | undefined;

  protected fetchData(): Observable<DemandDto> {
    return fromCall((signal) => this.node.api.market.getDemands({ signal })).pipe(
      map((demands) => {
        const found = demands.find((demand) => demand.demandId === this.id);
        if (found === undefined) {
          throw new YagnaNotFoundError(`Demand [${this.id}] not found.`, {
            endpoint: 'GET /market-api/v1/demands',
            status: 404,
            params: { subscriptionId: this.id },
          });
        }
        return found;
      }),
    );
  }

  /**
   * The initial proposals (the providers' offers matched to this demand), as resources: those
   * still held somewhere. A demand holds its proposals weakly, so one that nobody holds any more
   * (not the user, not `negotiate`'s heap, not a negotiation in flight) is collected however
   * long the demand listens.
   */
  override get children(): readonly Proposal[] {
    return super.children as readonly Proposal[];
  }

  /** The existing initial proposals (those still held), then new ones; completes when the demand is closed. */
  override get children$(): Observable<Proposal> {
    return super.children$ as Observable<Proposal>;
  }

  /** Proposals are held weakly (see {@link children}). */
  protected override holdsChildrenWeakly(): boolean {
    return true;
  }

  /**
   * The providers' initial proposals: those collected so far, then new ones as they arrive.
   * The poll runs while someone subscribes (shared with every other listener of this demand)
   * and the request in flight is aborted when the last one leaves. Completes when the demand is
   * closed or the node stops; errors when the poll fails for good (not on transient failures,
   * which are retried with backoff and reported as `SourceHealthChanged` on `node.events`).
   */
  get proposals$(): Observable<Proposal> {
    return alongside(this.children$, this.collecting$);
  }

  /**
   * The demand's long-poll: routes every event into the tree, emits nothing. Hot and shared; it
   * polls while subscribed. Completes when the demand is closed or the node stops.
   * @internal
   */
  get collecting$(): Observable<never> {
    this.collector ??= defer(() => (this.closed ? EMPTY : this.source.events$)).pipe(
      tap({ next: (event) => this.route(event), complete: () => this.markClosed() }),
      ignoreElements(),
      takeUntil(merge(this.closed$, this.node.stopping$)),
      share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
    );
    return this.collector;
  }

  /** The proposal `id` of this demand (by id, not validated). */
  proposal(id: string): Proposal {
    return this.node.proposal(id, this.id);
  }

  /**
   * Unsubscribes the demand (`DELETE /demands/{id}`); its poll stops. Tolerates a demand already
   * gone (404/410). Closes the resource on success.
   *
   * @returns a cold, awaitable {@link Action} that completes when unsubscribed
   */
  unsubscribe(): Action<void> {
    return action(
      defer(() => {
        this.isWithdrawing = true;
        return voidCall((signal) => this.node.api.market.unsubscribeDemand(this.id, { signal })).pipe(
          tolerate(isGone),
          onSuccess(() => this.markClosed()),
        );
      }),
    );
  }

  /**
   * Is it being unsubscribed (by us, or by the node's `close()`), or gone? Its proposals then need
   * no rejecting: the market drops every proposal of a demand that leaves it.
   */
  get withdrawn(): boolean {
    return this.isWithdrawing || this.closed || (this.node.closingOrClosed && this.node.closes(this));
  }

  /**
   * The properties and constraints the demand was published with: known for demands this node
   * created, fetched otherwise.
   */
  body$(): Observable<DemandOfferBaseDto> {
    return defer(() =>
      this.body === undefined
        ? this.ensureData$().pipe(
            map((data) => ({ properties: data.properties, constraints: data.constraints })),
          )
        : of(this.body),
    );
  }

  /**
   * The allocations the demand was published with (`createDemand`'s `allocations`), from which
   * the node pays the agreements made under it; `undefined` for a demand this node did not create.
   */
  get allocations(): readonly Allocation[] | undefined {
    return this.allocationList;
  }

  /**
   * Remembers the allocations the demand was published with.
   * @internal
   */
  setAllocations(allocations: readonly Allocation[]): void {
    this.allocationList = [...allocations];
  }

  /**
   * Remembers the body the demand was published with.
   * @internal
   */
  setBody(body: DemandOfferBaseDto): void {
    this.body = body;
  }

  /** Ends the children of every proposal under this demand: no response can come any more. */
  protected override onClosed(): void {
    super.onClosed();
    const stack: Proposal[] = [...this.children];
    for (let proposal = stack.pop(); proposal !== undefined; proposal = stack.pop()) {
      proposal.endChildren();
      for (const child of proposal.children) if (child instanceof Proposal) stack.push(child);
    }
  }

  private get source(): LongPollSource<MarketEventDto> {
    const { node } = this;
    const name = `proposals:${this.id}`;
    this.pollSource ??= consumingQueueSource<MarketEventDto>({
      name,
      fetchBatch: () =>
        deepCollect(
          (timeout) =>
            fromCall((signal) =>
              node.api.market.collectOffers(
                this.id,
                { timeout, maxEvents: MAX_EVENTS_PER_COLLECT },
                { signal },
              ),
            ),
          node.config.pollTimeoutSec,
        ),
      onHealth: (health) => node.events.emit(new SourceHealthChanged(name, health)),
      ...node.config.poll,
    });
    return this.pollSource;
  }

  /**
   * Puts one `collectOffers` event into the tree. Each event is recorded on the proposal it is
   * about, not on the demand (which would keep every event of a long-lived demand).
   */
  private route(event: MarketEventDto): void {
    if (event.eventType === 'ProposalEvent') {
      const dto = event.proposal;
      const proposal = this.proposal(dto.proposalId);
      proposal.setData(dto);
      proposal.recordEvent(event);
      proposal.attachTo(dto.prevProposalId === undefined ? this : this.proposal(dto.prevProposalId));
      this.node.proposalArrived(proposal);
    } else if (event.eventType === 'ProposalRejectedEvent') {
      const proposal = this.proposal(event.proposalId);
      proposal.recordEvent(event);
      proposal.markRejected(event.reason);
    }
  }
}
