/**
 * The ports of the scheduling core ({@link runTaskEngine}): what it needs from the market
 * (offers, one demand round at a time), from the user (the worker) and from the resources (how to
 * release a worker), so that it runs the same on devnet and, with `golem-rx/testing` fakes, in
 * virtual time.
 *
 * @module
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { JobStopReason } from '../errors/JobStoppedError.js';
import type { Scorer } from '../../operators/score.js';
import type { ActivityOf, AgreementOf, DraftOf, OfferProposal } from '../../ports/index.js';
import type { Task } from '../Task.js';

/** The activity type at the end of the rental chain that starts with offers of type `P`. */
export type ActivityOfOffer<P extends OfferProposal> = ActivityOf<AgreementOf<DraftOf<P>>>;

/**
 * How a worker gets its tasks. The engine hands a task to a worker only when it asks for one, so
 * tasks stay queued for whichever worker is free first.
 */
export interface TaskFeed<D, R> {
  /**
   * Asks for one more task: emits it and completes, or completes empty when this worker gets no
   * more (the job is over, or the engine releases the worker). Unsubscribing withdraws the ask.
   */
  next(): Observable<Task<D, R>>;
  /**
   * The worker's tasks one at a time: the next is asked for when the previous one is settled
   * (accepted or rejected). Completes when the worker gets no more.
   */
  readonly tasks$: Observable<Task<D, R>>;
}

/** How a worker ended, for the provider. */
export interface ReleaseOutcome {
  /** `Success` (the worker returned), `Failure` (it failed or was stopped), `Cancelled` (the job stopped). */
  readonly code: 'Success' | 'Failure' | 'Cancelled';
  /** A human-readable reason. */
  readonly reason: string;
}

/** What the core calls. */
export interface TaskEnginePorts<P extends OfferProposal, D, R> {
  /**
   * The offers of demand round `round` (1, 2, …): a fresh demand each round, published on
   * subscription and withdrawn on unsubscription. A new round starts when the offers of the last
   * one are used up and workers are still needed.
   */
  offers(round: number): Observable<P>;
  /**
   * Runs the worker on a ready activity: completes when it returns, errors when it throws.
   * Unsubscribing stops it (the engine does so when a task it holds times out or expires).
   */
  work(activity: ActivityOfOffer<P>, feed: TaskFeed<D, R>): Observable<unknown>;
  /** Ends a worker: destroys its activity and terminates its agreement with `outcome`. */
  release(activity: ActivityOfOffer<P>, outcome: ReleaseOutcome): Observable<unknown>;
  /**
   * Is the code calling `task.accept` / `task.reject` the worker fed by `feed`? Lets the engine
   * refuse a late call from a worker it already stopped. Absent: every call is taken.
   */
  isCaller?(feed: TaskFeed<D, R>): boolean;
}

/** The options of the core; see `ExecuteTasksOptions` for the user-facing ones. */
export interface TaskEngineConfig<P extends OfferProposal, D, R> extends TaskEnginePorts<P, D, R> {
  /** Workers (agreements with activities) at once. */
  readonly maxWorkers: number;
  /** Attempts per task. */
  readonly maxAttempts: number;
  /** Consecutive failures after which a provider is excluded. */
  readonly excludeAfter: number;
  /** Rates offers (higher is better; `null` drops). @default every offer scores 1 */
  readonly scorer?: Scorer<P>;
  /** `score`'s hold-back: wait for this many offers (or `maxWait` ms) before choosing. */
  readonly minProposals?: number;
  /** `score`'s hold-back limit in ms. */
  readonly maxWait?: number;
  /** `createAgreement`'s approval timeout in ms. */
  readonly approvalTimeout?: number;
  /** How long a worker may wait for a task while the task source is still open, in ms. */
  readonly idleTimeout: number;
  /** The shortest time between two demand rounds, in ms. */
  readonly refreshInterval: number;
  /** Rounds in a row that yield no usable provider before the pending tasks fail. */
  readonly barrenRounds: number;
  /** Emits (once) to stop the job early: every task not done fails with `JobStoppedError`. */
  readonly stop$?: Observable<JobStopReason>;
  /** May the job rent another worker now (e.g. the budget allows)? @default always */
  readonly canRent?: () => boolean;
  /** The clock of every timer. */
  readonly scheduler: SchedulerLike;
}
