/**
 * The seams between devnet's modules. The market module (demands, offers, proposals, agreements,
 * simulated providers) owns agreements; the activity and payment modules read them through
 * {@link MarketFacade} and never reach into market state directly. Every module is a fastify
 * plugin plus a stats contributor, and every module honours the same fault plan and clock.
 */
import type { FastifyInstance } from 'fastify';
import type { Observable, SchedulerLike } from 'rxjs';
import type { AgreementState, Properties } from 'golem-rx';
import type { GsbNetwork } from './gsb/index.js';
import type { UpgradeRoute } from './upgrade.js';

/** What every devnet module receives. */
export interface DevnetContext {
  /** The requestor identity behind the app key (`0x` + 40 hex). */
  readonly requestorId: string;
  /** The app key's name, as `/me` reports it. */
  readonly appKeyName: string;
  /** Real-time by default; a TestScheduler or a custom one in tests. All devnet timers use it. */
  readonly scheduler: SchedulerLike;
  /** Seeded PRNG in [0, 1): the only source of randomness in devnet, so a seed reproduces a market. */
  readonly random: () => number;
  /** The fault plan in force (mutable at run time through `devnet.faults`). */
  readonly faults: FaultPlan;
  /** Signals every module to end its pending long-polls at once (the "daemon restart" fault). */
  readonly restart$: Observable<void>;
  /**
   * The requestor's GSB services (bound through `/gsb-api/v1`), as a provider reaches them through
   * the Golem network: the exe-units' `gftp://` transfers call them.
   */
  readonly gsb?: GsbNetwork;
}

/** A read-only view of one agreement, as the activity and payment modules need it. */
export interface AgreementView {
  readonly agreementId: string;
  readonly state: AgreementState;
  readonly requestorId: string;
  readonly providerId: string;
  readonly providerName: string;
  /** Properties of the last demand-side proposal the agreement was made from. */
  readonly demandProperties: Properties;
  /** Properties of the last offer-side proposal (pricing, usage vector, payment address…). */
  readonly offerProperties: Properties;
  readonly appSessionId?: string;
  /** ms since epoch on the devnet clock; set once approved. */
  readonly approvedAt?: number;
}

/** How the activity and payment modules see the market. */
export interface MarketFacade {
  getAgreement(agreementId: string): AgreementView | undefined;
  /** Every agreement state change (approved, terminated…), hot. */
  readonly agreementChanges$: Observable<AgreementView>;
  /** The provider ends the agreement itself (e.g. debit notes not accepted in time, activity crashed). */
  terminateByProvider(agreementId: string, reason: { message: string; code: string }): void;
}

/** How the payment module sees activities (for usage-driven debit notes). */
export interface ActivityFacade {
  /** Activity ids created under an agreement. */
  activitiesOf(agreementId: string): readonly string[];
  /** Current usage counters of an activity, in the order of the agreement's `golem.com.usage.vector`. */
  usageOf(activityId: string): readonly number[] | undefined;
  /** Activity lifecycle changes (created, terminated), hot. */
  readonly activityChanges$: Observable<{ activityId: string; agreementId: string; state: string }>;
}

/** A devnet module: registers its routes and reports its counters for `GET /_devnet/stats`. */
export interface DevnetModule {
  register(app: FastifyInstance): void | Promise<void>;
  stats(): Record<string, unknown>;
  /** Stops timers and ends pending long-polls. Idempotent. */
  close(): void;
  /** The module's websocket endpoints, which `startDevnet` routes through its upgrade router. */
  readonly socketRoute?: UpgradeRoute;
}

/** How often an HTTP fault fires. */
export type FaultCount = { times: number } | { probability: number } | 'always';

/** An HTTP-level fault on matching endpoints (method + path pattern, e.g. `GET /market-api/v1/demands/*\/events`). */
export interface HttpFault {
  readonly kind: 'http';
  /** `METHOD path-glob`; `*` matches one path segment, `**` any number. Method `*` matches all. */
  readonly endpoint: string;
  readonly status?: 500 | 408 | 503 | 504;
  /** Added latency in ms, before the real handler (or the error) answers. */
  readonly latencyMs?: number;
  readonly count: FaultCount;
}

/** A behaviour fault of simulated providers (all providers when `providers` is omitted). */
export interface ProviderFault {
  readonly kind:
    | 'rejectCounter'
    | 'rejectAgreement'
    | 'neverApprove'
    | 'crashActivity'
    | 'failCommand'
    | 'duplicatePaymentEvents'
    | 'outOfOrderPaymentEvents'
    | 'overpricedInvoice'
    | 'noInvoice';
  /** Provider ids or names; omitted = every provider. */
  readonly providers?: readonly string[];
  /** For probabilistic faults (crashActivity, failCommand, rejectCounter…), in [0, 1]; default 1. */
  readonly probability?: number;
  /** For overpricedInvoice: the factor applied to the true amount (default 1.5). */
  readonly factor?: number;
}

export type Fault = HttpFault | ProviderFault;

/**
 * The faults in force. Modules ask it; tests and the CLI fill it (`--faults` SPEC or `devnet.faults.add`).
 * Decisions that involve chance use the devnet's seeded PRNG so a seed reproduces them.
 */
export interface FaultPlan {
  add(fault: Fault): void;
  clear(): void;
  list(): readonly Fault[];
  /** Is this provider fault active for this provider now? Consumes one chance draw when probabilistic. */
  providerHas(kind: ProviderFault['kind'], provider: { id: string; name: string }): ProviderFault | undefined;
}
