/**
 * The options of `executeTasks` / `mapTasks`, their defaults and checks.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import type { SchedulerLike } from 'rxjs';
import type { Scorer } from '../operators/score.js';
import type { DemandPayload, PaymentTerms } from '../resources/payload.js';
import type { Proposal } from '../resources/Proposal.js';
import { leastExpensiveLinearPayu } from '../strategies/leastExpensiveLinearPayu.js';
import type { TransferStorage } from '../ports/storage.js';
import type { StorageServerOptions } from '../storage/StorageServer.js';

/** A market strategy: a scorer, with the hold-back of `score`. */
export interface TaskStrategy {
  /** Rates an offer: higher is better; `null` (or negative) drops it. */
  readonly score: Scorer<Proposal>;
  /** Wait for this many offers before choosing (or `maxWait` ms). */
  readonly minProposals?: number;
  /** The hold-back limit in ms. */
  readonly maxWait?: number;
}

/** Options of `executeTasks` and `mapTasks`. */
export interface ExecuteTasksOptions {
  /** What to run on: properties and constraints of the demand (e.g. a VM package). */
  payload: DemandPayload;
  /**
   * The most the job may spend, in GLM: the allocation is sized by it, and no debit note or
   * invoice is accepted past it (the job then stops with reason `budget`).
   */
  budget: Decimal.Value;
  /**
   * Providers working at once.
   * @default 5
   */
  maxWorkers?: number;
  /**
   * Attempts per task, each on a different provider.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * Consecutive failures (a worker that threw or was stopped, a task rejected for retry, an
   * agreement or activity that failed) after which a provider is excluded for the rest of the job.
   * @default 3
   */
  excludeAfter?: number;
  /**
   * The whole job's time limit in ms; then every task not done fails (`JobStoppedError`) and the
   * job shuts down cleanly.
   * @default 3_600_000 (1 h)
   */
  timeout?: number;
  /**
   * How offers are chosen: a scorer (e.g. from `golem-rx`'s strategies), or a {@link TaskStrategy}.
   * @default `leastExpensiveLinearPayu()` (yapapi's LeastExpensiveLinearPayuMS)
   */
  strategy?: Scorer<Proposal> | TaskStrategy;
  /** The subnet tag. @default `YAGNA_SUBNET`, then `public` */
  subnet?: string;
  /** Payment terms proposed to providers (debit-note interval and accept timeout). */
  terms?: PaymentTerms;
  /**
   * How long to wait for the invoices after the work, in ms (then `invoiceMissing`).
   * @default 180_000 (3 min)
   */
  invoiceTimeout?: number;
  /**
   * How long a worker may wait for a task while the task source is open, in ms.
   * @default 30_000
   */
  idleTimeout?: number;
  /**
   * The shortest time between two demands when fresh offers are needed, in ms.
   * @default 10_000
   */
  refreshInterval?: number;
  /**
   * How long the provider may take to approve an agreement, in ms.
   * @default 60_000
   */
  approvalTimeout?: number;
  /** Aborting stops the job: tasks not done fail, everything is released, invoices paid. */
  signal?: AbortSignal;
  /**
   * Where transfers get their URLs: a storage the caller owns (a `StorageServer`, or a `GsbStorage`
   * that needs no open port), or options for a `StorageServer` the job starts on demand and closes
   * at the end.
   * @default a loopback server on a random port
   */
  storage?: TransferStorage | StorageServerOptions;
  /** The payment network of the allocation. @default `PAYMENT_NETWORK`, then `holesky` */
  network?: string;
  /** The payment driver. @default `erc20` */
  driver?: string;
  /** The clock of every timer of the job. @default the node's scheduler */
  scheduler?: SchedulerLike;
}

/** The options resolved. @internal */
export interface ResolvedOptions {
  readonly budget: Decimal;
  readonly maxWorkers: number;
  readonly maxAttempts: number;
  readonly excludeAfter: number;
  readonly timeout: number;
  readonly invoiceTimeout: number;
  readonly idleTimeout: number;
  readonly refreshInterval: number;
  readonly strategy: TaskStrategy;
}

function positiveInt(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`executeTasks: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function duration(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`executeTasks: ${name} must be a positive number of ms, got ${String(value)}`);
  }
  return value;
}

/** Checks and completes the options. @throws {RangeError} on a bad value */
export function resolveOptions(options: ExecuteTasksOptions): ResolvedOptions {
  const budget = new Decimal(options.budget);
  if (!(budget.isFinite() && budget.gt(0))) {
    throw new RangeError(`executeTasks: budget must be a positive amount, got ${String(options.budget)}`);
  }
  const strategy = options.strategy ?? leastExpensiveLinearPayu<Proposal>();
  return {
    budget,
    maxWorkers: positiveInt('maxWorkers', options.maxWorkers ?? 5),
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? 3),
    excludeAfter: positiveInt('excludeAfter', options.excludeAfter ?? 3),
    timeout: duration('timeout', options.timeout ?? 3_600_000),
    invoiceTimeout: duration('invoiceTimeout', options.invoiceTimeout ?? 180_000),
    idleTimeout: duration('idleTimeout', options.idleTimeout ?? 30_000),
    refreshInterval: duration('refreshInterval', options.refreshInterval ?? 10_000),
    strategy: typeof strategy === 'function' ? { score: strategy } : strategy,
  };
}
