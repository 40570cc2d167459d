/**
 * Options of {@link GolemNode} and of its creating methods, and their resolution.
 *
 * @module
 */
import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import type { AmountInput, YagnaEnv } from '../api/index.js';
import type { EnableDefaultLoggerOptions } from '../logging/enableDefaultLogger.js';
import type { BackoffConfig } from '../sources/backoff.js';
import type { Allocation } from './Allocation.js';
import type { NodeApi } from './NodeApi.js';
import type { PaymentPolicy } from './paymentPolicy.js';
import type { DemandPayload, PaymentTerms } from './payload.js';

/** Options of `new GolemNode(options)`. Unset ones come from the environment or the defaults. */
export interface GolemNodeOptions {
  /** The app key. @default `YAGNA_APPKEY` */
  appKey?: string;
  /** yagna's API root. @default `YAGNA_API_URL`, then `http://127.0.0.1:7465` */
  apiUrl?: string;
  /**
   * Correlation id given to `confirm`; scopes the node's agreement and payment events.
   * @default a random id per node
   */
  appSessionId?: string;
  /** The clock of every poll interval, backoff and timeout. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * The client to use instead of `createYagnaApi({ url: apiUrl, appKey })`: e.g. a stub whose
   * functions return `cold()` Observables, for marble tests.
   */
  api?: NodeApi;
  /**
   * Log every event of `node.events` as a JSON line (`enableDefaultLogger`), to stderr or
   * `logger.stream`; the app key is always among the redacted secrets. Stopped after `close()`.
   * @default false
   */
  logger?: boolean | EnableDefaultLoggerOptions;
  /** The environment to read defaults from. @default process.env */
  env?: YagnaEnv;
  /**
   * Server-side `timeout` of every long-poll, in seconds.
   * @default 5
   */
  pollTimeoutSec?: number;
  /**
   * A floor between polls that bring nothing (and between `waitForApproval` re-issues), in ms.
   * @default 1000
   */
  minPollIntervalMs?: number;
  /**
   * Interval of `activity.state$` polling, in ms.
   * @default 1000
   */
  statePollIntervalMs?: number;
  /** Backoff of long-polls and close steps on transient failures. @default the sources' default */
  backoff?: BackoffConfig;
  /** Jitter source in [0, 1) for backoffs; a constant in tests. @default Math.random */
  random?: () => number;
  /**
   * Retries, with `backoff` on `scheduler`, of a call that must succeed and that the client does
   * not retry (POST: terminate, cancel, invoice and debit-note accept) on a transient failure
   * (5xx, 408, 429, the network); the idempotent ones (destroy, unsubscribe, release) are
   * retried by the client itself.
   * @default 3
   */
  closeRetries?: number;
  /**
   * The node's payer: it pays the debit notes and invoices of the agreements this node made
   * (`proposal.createAgreement`) from the allocation of the agreement's demand, and `close()`
   * settles every approved agreement (see {@link NodePaymentsOptions}). `false`: the node pays
   * nothing (pay with `acceptPayments` yourself); `close()` then only reports the approved
   * agreements whose invoice it does not know to be accepted.
   * @default {} (enabled, with the defaults of {@link NodePaymentsOptions})
   */
  payments?: NodePaymentsOptions | false;
}

/** The default of {@link NodePaymentsOptions.invoiceTimeout}: 30 s. */
export const DEFAULT_INVOICE_TIMEOUT_MS = 30_000;

/** Options of the node's payer (`new GolemNode({ payments })`). */
export interface NodePaymentsOptions {
  /**
   * How long `close()` waits, in ms of the node's scheduler, for the invoices of the approved
   * agreements it terminated (after the agreements' phase, before the allocations are
   * released); those still without an accepted invoice then are in `report.unsettled`.
   * @default 30_000
   */
  invoiceTimeout?: number;
  /**
   * What decides which documents to accept: given an allocation, what is left of it to spend
   * (`budget`) and the node's scheduler, an operator from debit notes and invoices to
   * `PaymentEvent`s. Called once per allocation each time the payer starts.
   * @default `acceptPayments` (loaded when the first agreement is approved) with its defaults
   * @example
   * ```ts
   * new GolemNode({ payments: { policy: (c) => acceptPayments({ ...c, grace: 0.1 }) } });
   * ```
   */
  policy?: PaymentPolicy;
}

/** The resolved tuning of a node (read by its resources). */
export interface NodeConfig {
  /** Server-side timeout of long-polls, in seconds. */
  readonly pollTimeoutSec: number;
  /** Interval of `activity.state$`, in ms. */
  readonly statePollIntervalMs: number;
  /** Retries of a call that must succeed (terminate, cancel, accept). */
  readonly closeRetries: number;
  /** The node's payer. */
  readonly payments: {
    /** Does the node pay (`payments !== false`)? */
    readonly enabled: boolean;
    /** How long `close()` waits for invoices, in ms. */
    readonly invoiceTimeout: number;
    /** The policy given, or `undefined` for `acceptPayments`. */
    readonly policy: PaymentPolicy | undefined;
  };
  /** What every long-poll source gets. */
  readonly poll: {
    readonly scheduler: SchedulerLike;
    readonly minIntervalMs: number;
    readonly backoff: BackoffConfig | undefined;
    readonly random: (() => number) | undefined;
  };
}

function positive(value: number, option: string, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(
      `GolemNode: ${option} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`,
    );
  }
  return value;
}

/** Resolves and checks the tuning options. @throws {RangeError} on a bad value */
export function resolveNodeConfig(options: GolemNodeOptions): NodeConfig {
  return {
    pollTimeoutSec: positive(options.pollTimeoutSec ?? 5, 'pollTimeoutSec', true),
    statePollIntervalMs: positive(options.statePollIntervalMs ?? 1000, 'statePollIntervalMs'),
    closeRetries: positive(options.closeRetries ?? 3, 'closeRetries', true),
    payments: resolvePayments(options.payments),
    poll: {
      scheduler: options.scheduler ?? asyncScheduler,
      minIntervalMs: positive(options.minPollIntervalMs ?? 1000, 'minPollIntervalMs', true),
      backoff: options.backoff,
      random: options.random,
    },
  };
}

function resolvePayments(options: NodePaymentsOptions | false | undefined): NodeConfig['payments'] {
  const given = options === false ? {} : (options ?? {});
  return {
    enabled: options !== false,
    invoiceTimeout: positive(
      given.invoiceTimeout ?? DEFAULT_INVOICE_TIMEOUT_MS,
      'payments.invoiceTimeout',
      true,
    ),
    policy: given.policy,
  };
}

/** The default lifetime of an allocation: one hour. */
export const DEFAULT_ALLOCATION_EXPIRES_MS = 3_600_000;
/** The longest lifetime of an allocation: 24 hours. */
export const MAX_ALLOCATION_EXPIRES_MS = 24 * 3_600_000;
/** The default `golem.srv.comp.expiration` of a demand: one hour from now. */
export const DEFAULT_DEMAND_EXPIRATION_MS = 3_600_000;

/** Options of `node.createAllocation(…)`. */
export interface CreateAllocationOptions {
  /** GLM to reserve (a `Decimal`, a decimal string or a number). */
  amount: AmountInput;
  /** Payment network. @default `PAYMENT_NETWORK`, then `holesky` */
  network?: string;
  /** Payment driver. @default `erc20` */
  driver?: string;
  /**
   * How long the allocation lives, in ms (yagna releases it then): in (0, 24 h].
   * @default 3_600_000 (1 h)
   */
  expires?: number;
  /** Release it when the node closes. @default true */
  autoclose?: boolean;
}

/** Options of `node.createDemand(…)` and `node.demand$(…)`. */
export interface CreateDemandOptions {
  /** What we ask for: properties and constraints (e.g. the VM image, memory, runtime). */
  payload: DemandPayload;
  /** The subnet tag (property and constraint). @default `YAGNA_SUBNET`, then `public` */
  subnet?: string;
  /**
   * `golem.srv.comp.expiration`: when agreements made from this demand expire (a `Date`, or ms
   * since the epoch). Must be in the future.
   * @default one hour from now (the node's scheduler)
   */
  expiration?: Date | number;
  /** Allocations whose payment platforms the demand offers (their decorations are merged). */
  allocations?: readonly Allocation[];
  /** The negotiable payment terms it proposes. */
  terms?: PaymentTerms;
  /** Unsubscribe it when the node closes. @default true */
  autoclose?: boolean;
  /**
   * Start collecting its events at once (into `demand.children`), instead of when someone
   * subscribes to `demand.proposals$`. Ignored by `node.demand$`.
   * @default true
   */
  autostart?: boolean;
}
