/**
 * The market's state: demand subscriptions with their consuming event queues, proposals of
 * both sides, the offer index, timers of the simulated providers and the counters behind
 * `GET /_devnet/stats`. Routes and the negotiation/agreement logic work on it.
 */
import { Subject, Subscription, timer } from 'rxjs';
import type { MarketEventDto, Properties } from 'golem-rx';
import type { DevnetClock } from '../clock.js';
import type { DevnetContext } from '../contracts.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { isJsonObject, MAX_TIMER_MS } from '../http.js';
import { isHashId, isSubscriptionId, newHashId, newSubscriptionId } from '../random.js';
import {
  flattenProperties,
  isConstraintSyntaxError,
  parseConstraints,
  type Constraint,
} from './constraints.js';
import { MarketEventQueue } from './eventQueue.js';
import type { OfferIndex } from './offerIndex.js';
import { proposalDto, type DemandRecord, type ProposalRecord } from './records.js';

/** Tunables of the market. */
export interface MarketSettings {
  /** Provider think time before answering a counter-proposal, ms `[min, max]`. */
  readonly thinkTimeMs: readonly [number, number];
  /** Provider delay before approving/rejecting a confirmed agreement, ms `[min, max]`. */
  readonly approvalDelayMs: readonly [number, number];
  /** At most this many Approved agreements per provider (Infinity = unlimited). */
  readonly maxAgreementsPerProvider: number;
  /** Demand subscription lifetime, ms (yagna: 1 h). */
  readonly demandTtlMs: number;
}

/** A parsed `DemandOfferBase` body. */
export interface ParsedDemandBody {
  readonly properties: Properties;
  readonly constraints: string;
  readonly parsed: Constraint;
}

/** Counters that only grow (stats). */
export interface MarketCounters {
  demandsSubscribed: number;
  demandsUnsubscribed: number;
  proposalsOffered: number;
  proposalsCountered: number;
  draftsReceived: number;
  rejectedByProviders: number;
  rejectedByRequestor: number;
}

/** The market's shared state. */
export class MarketCore {
  readonly demands = new Map<string, DemandRecord>();
  readonly proposals = new Map<string, ProposalRecord>();
  /** Ids of unsubscribed demands (yagna answers differently for those than for unknown ids). */
  readonly unsubscribed = new Set<string>();
  readonly counters: MarketCounters = {
    demandsSubscribed: 0,
    demandsUnsubscribed: 0,
    proposalsOffered: 0,
    proposalsCountered: 0,
    draftsReceived: 0,
    rejectedByProviders: 0,
    rejectedByRequestor: 0,
  };
  private readonly timers = new Set<Subscription>();

  constructor(
    readonly ctx: DevnetContext,
    readonly clock: DevnetClock,
    readonly offers: OfferIndex,
    readonly settings: MarketSettings,
  ) {}

  /** Parses a `DemandOfferBase` body (nested properties are flattened, as yagna does). */
  parseBody(body: unknown): ParsedDemandBody {
    if (!isJsonObject(body))
      throw new DevnetHttpError(400, 'Expected a JSON object with properties and constraints');
    if (!isJsonObject(body.properties)) throw new DevnetHttpError(400, 'properties must be a JSON object');
    if (typeof body.constraints !== 'string') throw new DevnetHttpError(400, 'constraints must be a string');
    try {
      return {
        properties: flattenProperties(body.properties),
        constraints: body.constraints,
        parsed: parseConstraints(body.constraints),
      };
    } catch (err) {
      if (isConstraintSyntaxError(err)) throw new DevnetHttpError(400, err.message);
      throw err;
    }
  }

  /** Publishes a demand and queues an Initial proposal for every matching offer. */
  subscribe(body: ParsedDemandBody): DemandRecord {
    const stamp = this.clock.stamp();
    const demand: DemandRecord = {
      id: newSubscriptionId(this.ctx.random),
      properties: body.properties,
      constraints: body.constraints,
      parsed: body.parsed,
      timestamp: stamp.iso,
      expiresAtMs: this.clock.nowMs() + this.settings.demandTtlMs,
      expired: false,
      queue: new MarketEventQueue(),
      wake: new Subject<void>(),
      proposalIds: [],
    };
    this.demands.set(demand.id, demand);
    this.counters.demandsSubscribed += 1;
    for (const provider of this.offers.match(demand)) {
      const proposal: ProposalRecord = {
        id: newHashId(this.ctx.random),
        demandId: demand.id,
        provider,
        issuer: 'provider',
        properties: provider.properties,
        constraints: provider.constraints,
        parsed: provider.parsedConstraints,
        timestamp: provider.timestamp,
        state: 'Initial',
        countered: false,
      };
      this.addProposal(demand, proposal);
      demand.queue.push({ eventType: 'ProposalEvent', eventDate: stamp.iso, proposal: this.dto(proposal) });
      this.counters.proposalsOffered += 1;
    }
    return demand;
  }

  /** Removes a demand, its proposals and its queue; pending collectOffers end with 404. */
  unsubscribe(id: string): void {
    const demand = this.demands.get(id);
    if (demand === undefined) throw new DevnetHttpError(404, `Demand [${id}] not found.`);
    this.demands.delete(id);
    this.unsubscribed.add(id);
    for (const pid of demand.proposalIds) this.proposals.delete(pid);
    demand.queue.clear();
    this.counters.demandsUnsubscribed += 1;
    demand.wake.next();
    demand.wake.complete();
  }

  /** The demands still on the market. */
  activeDemands(): DemandRecord[] {
    return [...this.demands.values()].filter((d) => !this.isExpired(d));
  }

  /** Has the subscription outlived its TTL? (checked lazily, on access). */
  isExpired(demand: DemandRecord): boolean {
    if (!demand.expired && this.clock.nowMs() >= demand.expiresAtMs) demand.expired = true;
    return demand.expired;
  }

  /**
   * A live demand by id for collectOffers / getDemand-like routes.
   *
   * @throws DevnetHttpError 400 malformed id, 404 unknown, unsubscribed or expired.
   */
  liveDemand(id: string): DemandRecord {
    if (!isSubscriptionId(id)) throw new DevnetHttpError(400, `Invalid subscription id [${id}]`);
    const demand = this.demands.get(id);
    if (demand === undefined || this.isExpired(demand)) {
      throw new DevnetHttpError(404, `Subscription [${id}] not found.`);
    }
    return demand;
  }

  /**
   * A proposal of a subscription.
   *
   * @throws DevnetHttpError 400 malformed ids, 404 unknown subscription or proposal.
   */
  proposalOf(demandId: string, proposalId: string): ProposalRecord {
    if (!isHashId(proposalId)) throw new DevnetHttpError(400, `Invalid proposal id [${proposalId}]`);
    this.liveDemand(demandId);
    const proposal = this.proposals.get(proposalId);
    if (proposal === undefined || proposal.demandId !== demandId) {
      throw new DevnetHttpError(404, `Proposal [${proposalId}] not found.`);
    }
    return proposal;
  }

  /** Records a proposal under its demand. */
  addProposal(demand: DemandRecord, proposal: ProposalRecord): void {
    this.proposals.set(proposal.id, proposal);
    demand.proposalIds.push(proposal.id);
  }

  /** Queues an event on a live demand and wakes its pollers. No-op if the demand is gone. */
  pushEvent(demandId: string, event: MarketEventDto): void {
    const demand = this.demands.get(demandId);
    if (demand === undefined || this.isExpired(demand)) return;
    demand.queue.push(event);
    demand.wake.next();
  }

  /** The wire form of a proposal. */
  dto(proposal: ProposalRecord): ReturnType<typeof proposalDto> {
    return proposalDto(proposal, this.ctx.requestorId);
  }

  /** A seeded delay in `[min, max]` ms. */
  delay(range: readonly [number, number]): number {
    const [min, max] = range;
    return min + Math.floor(this.ctx.random() * (Math.max(max, min) - min + 1));
  }

  /** Runs `action` after `delayMs` on the devnet scheduler; cancelled by {@link close}. */
  schedule(delayMs: number, action: () => void): Subscription {
    const holder = new Subscription();
    this.timers.add(holder);
    holder.add(() => this.timers.delete(holder));
    holder.add(
      timer(Math.max(0, Math.min(delayMs, MAX_TIMER_MS)), this.ctx.scheduler).subscribe({
        next: () => {
          holder.unsubscribe();
          action();
        },
      }),
    );
    return holder;
  }

  /** How many provider timers are pending (leak checks). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Cancels every provider timer and ends every demand's pollers. */
  close(): void {
    for (const t of [...this.timers]) t.unsubscribe();
    for (const d of this.demands.values()) d.wake.complete();
  }
}
