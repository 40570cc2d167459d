/**
 * The status model: what the JSON status handler serves and the dashboard shows, built by
 * `statusReducer` from a stream of events.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import type { RunnableStatus } from './Runnable.js';

/**
 * An event the status model reads: anything with a literal `type`. It understands the bus's
 * events (`NewResource`, `ResourceDataChanged`, `ResourceChangePossible`, `ResourceClosed`,
 * `NodeStarted`/`NodeClosing`/`NodeClosed`, `SourceHealthChanged`, `ResourceOperationFailed`),
 * the operators' `OperatorEvent`s, and `RunnableChanged`, `ProposalScored`, `ProposalCountered`;
 * it reads them structurally (by `type` and field), so plain objects of the same shape work
 * (e.g. events that crossed a process boundary). Others are ignored.
 */
export interface StatusEvent {
  readonly type: string;
}

/** Where a provider is in the market, as seen from its latest offer. */
export type MarketStage =
  | 'offer'
  | 'dropped'
  | 'countered'
  | 'rejected'
  | 'draft'
  | 'agreement'
  | 'approved'
  | 'activity'
  | 'failed'
  | 'closed';

/** One provider's line in the market view. */
export interface MarketEntry {
  readonly providerId: string;
  /** Its latest offer's proposal id. */
  readonly proposalId: string;
  /** Its latest offer's score, once scored. */
  readonly score?: number;
  readonly stage: MarketStage;
  /** When the offer arrived (ms since the epoch of the model's clock). */
  readonly arrivedAt: number;
  /** When the stage last changed. */
  readonly updatedAt: number;
}

/** An agreement or activity the model tracks. */
export interface TrackedResource {
  readonly state: string;
  readonly providerId?: string;
  /** Its agreement (activities only). */
  readonly agreementId?: string;
}

/** A per-item failure the model keeps for display (the latest few). */
export interface StatusFailure {
  readonly at: number;
  /** The event's type, e.g. `counterFailed`, `ResourceOperationFailed`. */
  readonly type: string;
  readonly message: string;
  readonly providerId?: string;
}

/** One point of the spend series. */
export interface SpendPoint {
  readonly at: number;
  readonly total: Decimal;
}

/** The whole model. Plain immutable data: the reducer returns a new object on each change. */
export interface StatusState {
  /** When the last event was applied (the model's clock). */
  readonly updatedAt: number;
  /** The node's lifecycle, from `NodeStarted`/`NodeClosing`/`NodeClosed`. */
  readonly node: 'unknown' | 'started' | 'closing' | 'closed';
  /** Long-poll sources currently unreachable, by name. */
  readonly unhealthySources: readonly string[];
  readonly demands: { readonly active: number; readonly total: number };
  readonly proposals: {
    /** Providers' initial offers seen. */
    readonly seen: number;
    readonly scored: number;
    /** Dropped by `score`/`negotiate` (a negative score, expired). */
    readonly dropped: number;
    /** Counter-proposals sent (reported by `StatusFeed.respond()`). */
    readonly countered: number;
    /** Counter-proposals that failed (the provider rejected them, or the call failed). */
    readonly counterFailed: number;
    /** Drafts received from providers. */
    readonly drafts: number;
  };
  /** Agreements by id. */
  readonly agreements: Readonly<Record<string, TrackedResource>>;
  /** Activities by id. */
  readonly activities: Readonly<Record<string, TrackedResource>>;
  readonly spend: {
    /** Σ over agreements of max(invoiced, Σ of its activities' latest debit notes). */
    readonly total: Decimal;
    /** Latest `totalAmountDue` per activity (cumulative, so the latest counts). */
    readonly debitNotes: Readonly<Record<string, { readonly agreementId: string; readonly amount: Decimal }>>;
    /** Invoiced amount per agreement. */
    readonly invoices: Readonly<Record<string, Decimal>>;
    /** The total each time it changed (the latest `limits.spendPoints`). */
    readonly series: readonly SpendPoint[];
  };
  /** One line per provider (the latest `limits.marketEntries` providers heard from). */
  readonly market: readonly MarketEntry[];
  /** The latest `limits.failures` failures. */
  readonly failures: readonly StatusFailure[];
  /** Runnables by name. */
  readonly runnables: Readonly<Record<string, RunnableStatus>>;
  /** The bounds of the lists above. */
  readonly limits: StatusLimits;
}

/** Bounds on the model's lists, so that a long run uses bounded memory. */
export interface StatusLimits {
  /** @default 200 */
  readonly marketEntries: number;
  /** @default 500 */
  readonly spendPoints: number;
  /** @default 20 */
  readonly failures: number;
}

/**
 * The empty model.
 * @param at the model's clock now (e.g. `scheduler.now()`)
 * @param limits bounds on its lists
 */
export function initialStatus(at = 0, limits: Partial<StatusLimits> = {}): StatusState {
  return {
    updatedAt: at,
    node: 'unknown',
    unhealthySources: [],
    demands: { active: 0, total: 0 },
    proposals: { seen: 0, scored: 0, dropped: 0, countered: 0, counterFailed: 0, drafts: 0 },
    agreements: {},
    activities: {},
    spend: { total: new Decimal(0), debitNotes: {}, invoices: {}, series: [] },
    market: [],
    failures: [],
    runnables: {},
    limits: { marketEntries: 200, spendPoints: 500, failures: 20, ...limits },
  };
}
