/**
 * The options of `node.rent()` and `node.rentalPool()`, and their resolution.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import type { SchedulerLike } from 'rxjs';
import type { OnOperatorEvent, Scorer } from '../operators/index.js';
import type { TransferStorage } from '../ports/index.js';
import type { Network } from '../network/index.js';
import type { Allocation, DemandPayload, PaymentTerms, Proposal } from '../resources/index.js';
import type { MaxPriceConfig, VmPackageOptions } from '../strategies/index.js';
import { estimateBudget } from './estimateBudget.js';

/** The default of {@link RentOptions.duration}: one hour. */
export const DEFAULT_RENTAL_DURATION_MS = 3_600_000;

/** How long an allocation a rental makes outlives the rentals: 15 minutes (as golem-js). */
const ALLOCATION_GRACE_MS = 15 * 60_000;
/** The longest lifetime of an allocation: 24 hours. */
const MAX_ALLOCATION_MS = 24 * 3_600_000;

/** The properties of yapapi's activity terms (`yapapi.props.Activity`). */
export const ACTIVITY_PROPERTY = {
  /** A hard cap on the activity's cost: the provider may kill an activity beyond it. */
  costCap: 'golem.activity.cost_cap',
  /** A soft cap: the provider is expected to send a debit note when the cost reaches it. */
  costWarning: 'golem.activity.cost_warning',
  /** How long the requestor expects the activity to take, in seconds. */
  timeoutSecs: 'golem.activity.timeout_secs',
} as const;

/** How providers are chosen and signed. */
export interface RentalMarketOptions {
  /**
   * Rates the offers (higher is better; `null` drops one), as `score` takes it.
   * @default leastExpensiveLinearPayu({ expectedTimeSecs: duration in seconds })
   */
  readonly scorer?: Scorer<Proposal>;
  /**
   * Hold offers back until this many were scored (or `maxWait` passed), then take the best first.
   * @default 0 (the first offers are countered at once)
   */
  readonly minProposals?: number;
  /** The most to hold offers back for `minProposals`, in ms. @default no limit */
  readonly maxWait?: number;
  /**
   * Counter-proposals in flight (or drafts ready) for each rental being made (`negotiate(n)`).
   * @default 2
   */
  readonly concurrency?: number;
  /** How long a provider may take to approve an agreement, in ms. @default 60000 */
  readonly approvalTimeout?: number;
  /** Receives the spending operators' per-item events (a counter rejected, an agreement not approved, …). */
  readonly onEvent?: OnOperatorEvent;
}

/**
 * The options of `node.rent()`: what to rent (the demand), with what money, on which terms (yapapi's
 * activity terms), and how files move.
 */
export interface RentOptions {
  /** The demand's payload (properties and constraints). Give this or `vmPackage`. @default {} */
  readonly payload?: DemandPayload;
  /**
   * A VM image and its minimum resources, resolved with `vmPackage` (the image registry is asked
   * when the image is named by tag) when the rental is made. Give this or `payload`.
   */
  readonly vmPackage?: VmPackageOptions;
  /** The subnet tag. @default `YAGNA_SUBNET`, then `public` */
  readonly subnet?: string;
  /** The negotiable payment terms (debit-note interval, accept timeout, payment timeout). */
  readonly paymentTerms?: PaymentTerms;

  /** The allocation to pay from (kept after the rental). Without it one is made (see `budget`). */
  readonly allocation?: Allocation;
  /**
   * The GLM of the allocation made for the rental (or the pool), released when it stopped
   * (drained) and settled.
   * @default estimateBudget of `maxPrice` (or `costCap`) over `duration`, for one rental (a pool: `max`)
   */
  readonly budget?: Decimal.Value;
  /**
   * The worst prices accepted: offers above them are not rented, and `budget` is sized with them.
   * @default no cap
   */
  readonly maxPrice?: MaxPriceConfig;
  /** CPU threads a rental is expected to bill, for the budget estimate. @default 1 */
  readonly threads?: number;

  /**
   * How long the rental is meant to last, in ms: the agreements' expiration
   * (`golem.srv.comp.expiration`), the allocation's lifetime, and the budget estimate.
   * @default `timeout`, else 1 h
   */
  readonly duration?: number;
  /**
   * yapapi's `timeout_secs`: the rental stops (and settles) this many ms after it started. Sent to
   * providers as `golem.activity.timeout_secs`.
   * @default no timeout
   */
  readonly timeout?: number;
  /**
   * yapapi's `cost_cap` (GLM): the node's payer accepts nothing that would take the agreement's
   * total over it (it rejects that debit note or invoice through yagna), and the rental stops as
   * soon as its cost reaches it. Sent to providers as `golem.activity.cost_cap`.
   * @default no cap
   */
  readonly costCap?: Decimal.Value;
  /**
   * yapapi's `cost_warning` (GLM): a `costWarning` event when the rental's cost passes it. Sent to
   * providers as `golem.activity.cost_warning`.
   * @default no warning
   */
  readonly costWarning?: Decimal.Value;

  /** How providers are chosen and signed. */
  readonly market?: RentalMarketOptions;
  /**
   * Where file transfers get their URLs: `StorageServer` from `golem-rx/storage` (Node, HTTP), or
   * the GSB storage. Without it, transfers fail with `RangeError`.
   */
  readonly storage?: TransferStorage;
  /**
   * A VPN (`node.createNetwork()`) to put each rental's provider in: it joins with the next free IP
   * before its exe-unit is deployed (`network.join`), and is removed from it when the rental stops.
   * @default no network
   */
  readonly network?: Network;
  /**
   * How long `stop()` waits for the invoice to be dealt with, in ms of the node's scheduler.
   * @default the node's `payments.invoiceTimeout` (30 s)
   */
  readonly invoiceTimeout?: number;
}

/** The options of `node.rentalPool()`: those of a rental, and the pool's size. */
export interface RentalPoolOptions extends RentOptions {
  /** Rentals the pool keeps (ready or in use) from the start. @default 0 */
  readonly min?: number;
  /** Rentals the pool may hold at once; an `acquire()` beyond them waits. */
  readonly max: number;
  /**
   * How long the pool waits before it tries to rent again after a failure (the market or yagna), in ms.
   * @default 5000
   */
  readonly retryDelay?: number;
}

/** What a rental runs with, resolved. @internal */
export interface RentalSettings {
  readonly timeout: number | undefined;
  readonly costCap: Decimal | undefined;
  readonly costWarning: Decimal | undefined;
  readonly storage: TransferStorage | undefined;
  readonly network: Network | undefined;
  readonly invoiceTimeout: number;
}

/** The options resolved. @internal */
export interface ResolvedRentOptions {
  readonly options: RentOptions;
  readonly duration: number;
  /** The GLM of the allocation to make, when none is given. */
  readonly budget: Decimal | undefined;
  readonly settings: RentalSettings;
  readonly scheduler: SchedulerLike;
}

function decimalOption(name: string, value: Decimal.Value | undefined): Decimal | undefined {
  if (value === undefined) return undefined;
  const decimal = new Decimal(value);
  if (decimal.isNaN() || decimal.isNegative() || !decimal.isFinite()) {
    throw new RangeError(`rent: ${name} must be a finite decimal >= 0, got ${String(value)}`);
  }
  return decimal;
}

function durationOption(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`rent: ${name} must be a finite number of ms > 0, got ${String(value)}`);
  }
  return value;
}

/**
 * Checks and resolves the options of `rent` (`rentals`: 1) or a pool (`rentals`: `max`).
 * @throws {RangeError} on a bad value, or when no allocation, budget, `maxPrice` nor `costCap`
 *   says how much to reserve
 */
export function resolveRentOptions(
  options: RentOptions,
  rentals: number,
  node: {
    readonly scheduler: SchedulerLike;
    readonly config: { readonly payments: { readonly invoiceTimeout: number } };
  },
): ResolvedRentOptions {
  const timeout = durationOption('timeout', options.timeout);
  const duration = durationOption('duration', options.duration) ?? timeout ?? DEFAULT_RENTAL_DURATION_MS;
  const costCap = decimalOption('costCap', options.costCap);
  const costWarning = decimalOption('costWarning', options.costWarning);
  const invoiceTimeout = options.invoiceTimeout ?? node.config.payments.invoiceTimeout;
  if (!(Number.isFinite(invoiceTimeout) && invoiceTimeout >= 0)) {
    throw new RangeError(`rent: invoiceTimeout must be a finite number >= 0, got ${String(invoiceTimeout)}`);
  }
  if (options.payload !== undefined && options.vmPackage !== undefined) {
    throw new RangeError('rent: give payload or vmPackage, not both');
  }
  const budget =
    options.allocation !== undefined
      ? undefined
      : (decimalOption('budget', options.budget) ??
        estimateBudget({
          rentals,
          duration,
          threads: options.threads,
          ...(options.maxPrice === undefined ? {} : { maxPrice: options.maxPrice }),
          ...(costCap === undefined ? {} : { costCap }),
        }));
  return {
    options,
    duration,
    budget,
    scheduler: node.scheduler,
    settings: {
      timeout,
      costCap,
      costWarning,
      storage: options.storage,
      network: options.network,
      invoiceTimeout,
    },
  };
}

/** The lifetime of an allocation made for rentals of `duration` ms. */
export function allocationLifetime(duration: number): number {
  return Math.min(MAX_ALLOCATION_MS, duration + ALLOCATION_GRACE_MS);
}

/** yapapi's activity terms as demand properties (only those given). */
export function activityProperties(resolved: ResolvedRentOptions): Record<string, number> {
  const { costCap, costWarning, timeout } = resolved.settings;
  return {
    ...(costCap === undefined ? {} : { [ACTIVITY_PROPERTY.costCap]: costCap.toNumber() }),
    ...(costWarning === undefined ? {} : { [ACTIVITY_PROPERTY.costWarning]: costWarning.toNumber() }),
    ...(timeout === undefined ? {} : { [ACTIVITY_PROPERTY.timeoutSecs]: timeout / 1000 }),
  };
}
