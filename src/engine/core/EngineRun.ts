/**
 * One subscription of the scheduling core: the state machine that places tasks on workers and
 * rents only as many workers as the pending tasks need.
 *
 * @module
 */
import { type Observable, Subject, type Subscriber, Subscription, defer } from 'rxjs';
import { JobStoppedError } from '../errors/JobStoppedError.js';
import { NoEligibleProviderError } from '../errors/NoEligibleProviderError.js';
import { TaskExpiredError } from '../errors/TaskExpiredError.js';
import type { JobStopReason } from '../errors/JobStoppedError.js';
import type { OfferProposal } from '../../ports/index.js';
import type { EngineEvent } from '../events.js';
import type { Task } from '../Task.js';
import { Market } from './Market.js';
import type { ActivityOfOffer, TaskEngineConfig } from './ports.js';
import { rentalHooks } from './hooks.js';
import { type HeldDraft, type RentalHooks, type RentalSettings, rentalsOf } from './rentals.js';
import { RoundTracker } from './RoundTracker.js';
import { TaskBoard } from './TaskBoard.js';
import { WorkerSlot } from './WorkerSlot.js';
import { type WorkerHost, beginTask, endWorker } from './workers.js';

/** The state of one job. */
export class EngineRun<P extends OfferProposal, D, R> implements WorkerHost<P, D, R> {
  readonly board: TaskBoard<D, R>;
  readonly slots = new Set<WorkerSlot<D, R, ActivityOfOffer<P>>>();
  readonly taskTimers = new Map<Task<D, R>, Subscription>();
  releasing = 0;

  /** Providers with a rental in progress (signing or starting). */
  readonly rentals = new Set<string>();
  private readonly signing = new Subject<HeldDraft<P>>();
  private readonly expiries = new Map<Task<D, R>, Subscription>();
  private readonly settings: RentalSettings<P>;
  private readonly hooks: RentalHooks<P>;
  /** The demand rounds. */
  readonly roundTracker: RoundTracker;
  private tasksSource = new Subscription();
  private signingDone = false;
  private readonly market: Market<P, D, R>;
  /** Is the job finishing (every task has its outcome, or it stopped)? */
  finishing = false;
  private stopped: JobStopReason | undefined;
  private pumping = false;
  private again = false;

  constructor(
    readonly config: TaskEngineConfig<P, D, R>,
    private readonly subscriber: Subscriber<EngineEvent<D, R>>,
  ) {
    this.board = new TaskBoard({ maxAttempts: config.maxAttempts, excludeAfter: config.excludeAfter });
    const scorer = config.scorer ?? (() => 1);
    this.settings = {
      maxWorkers: config.maxWorkers,
      scorer: (proposal) => (this.board.isExcluded(proposal.providerId) ? null : scorer(proposal)),
      minProposals: config.minProposals,
      maxWait: config.maxWait,
      approvalTimeout: config.approvalTimeout,
      scheduler: config.scheduler,
    };
    this.roundTracker = new RoundTracker(config);
    this.hooks = rentalHooks(this);
    this.market = new Market(this, this.settings, this.hooks, this.signing);
  }

  /** Starts the job on `tasks$`. */
  start(tasks$: Observable<Task<D, R>>): void {
    const { subscriber } = this;
    subscriber.add(this.tasksSource);
    subscriber.add(
      rentalsOf(this.signing.asObservable(), this.settings, this.hooks).subscribe({
        next: (activity) => this.startWorker(activity),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          this.signingDone = true;
          this.pump();
        },
      }),
    );
    if (this.config.stop$) {
      subscriber.add(
        this.config.stop$.subscribe({
          next: (reason) => this.stop(reason),
          error: (error: unknown) => subscriber.error(error),
        }),
      );
    }
    this.tasksSource.add(
      tasks$.subscribe({
        next: (task) => this.addTask(task),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          this.board.close();
          this.pump();
        },
      }),
    );
    this.pump();
  }

  /** Synchronous teardown: stops everything; workers alive are released in the background. */
  teardown(): void {
    this.market.close();
    for (const timer of [...this.taskTimers.values(), ...this.expiries.values()]) timer.unsubscribe();
    for (const slot of [...this.slots]) {
      endWorker(this, slot, { kind: 'cancelled', error: new JobStoppedError({ reason: 'aborted' }) });
    }
  }

  /** Emits an event while the subscriber listens. */
  emit(event: EngineEvent<D, R>): void {
    if (!this.subscriber.closed) this.subscriber.next(event);
  }

  /** Re-evaluates the job; re-entrant calls are folded into the running one. */
  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.step();
      } while (this.again && !this.subscriber.closed);
    } catch (error: unknown) {
      this.subscriber.error(error);
    } finally {
      this.pumping = false;
    }
  }

  /** Ties a subscription to the job's. */
  hold(subscription: Subscription): void {
    this.subscriber.add(subscription);
  }

  /** Fails the job. */
  fail(error: unknown): void {
    this.subscriber.error(error);
  }

  /** No provider can be found for the pending tasks: they fail. */
  giveUp(): void {
    for (const task of this.board.drainPending()) {
      const error = new NoEligibleProviderError({ taskId: task.id, triedProviders: task.providers });
      this.failTask(task, error);
    }
    this.again = true;
  }

  /** A provider failed: counts towards its exclusion. */
  providerFailed(providerId: string): void {
    if (this.board.providerFailed(providerId)) {
      this.emit({ type: 'providerExcluded', providerId, failures: this.board.streakOf(providerId) });
    }
  }

  /** A task was settled or failed for good: its timers stop. */
  clearTimers(task: Task<D, R>): void {
    this.taskTimers.get(task)?.unsubscribe();
    this.taskTimers.delete(task);
    if (task.state === 'done' || task.state === 'failed') {
      this.expiries.get(task)?.unsubscribe();
      this.expiries.delete(task);
    }
  }

  private step(): void {
    if (this.subscriber.closed) return;
    if (!this.finishing && this.board.allSettled) this.beginFinishing();
    for (const slot of this.slots) this.feedSlot(slot);
    if (!this.finishing) {
      const room = this.config.maxWorkers - this.slots.size - this.rentals.size;
      const canRent = this.config.canRent?.() ?? true;
      // Pending tasks that rentals in progress will serve need no new worker.
      const need = canRent ? Math.min(room, this.board.pending - this.rentals.size) : 0;
      this.market.supply(need);
    }
    if (
      this.finishing &&
      this.slots.size === 0 &&
      this.releasing === 0 &&
      this.rentals.size === 0 &&
      this.signingDone
    ) {
      this.subscriber.complete();
    }
  }

  private feedSlot(slot: WorkerSlot<D, R, ActivityOfOffer<P>>): void {
    const { board } = this;
    while (slot.waiting && slot.open) {
      const task = board.take(slot.providerId);
      if (task === undefined) break;
      slot.idle?.unsubscribe();
      slot.idle = undefined;
      beginTask(this, slot, task);
    }
    if (!slot.waiting || !slot.open) return;
    const full = this.slots.size + this.rentals.size >= this.config.maxWorkers;
    if (this.finishing || board.sourceDone || (board.pending > 0 && full)) {
      slot.endFeed();
    } else if (slot.idle === undefined) {
      slot.idle = this.config.scheduler.schedule(() => {
        slot.idle = undefined;
        if (slot.waiting) {
          slot.endFeed();
          this.pump();
        }
      }, this.config.idleTimeout);
      this.subscriber.add(slot.idle);
    }
  }

  private addTask(task: Task<D, R>): void {
    if (this.subscriber.closed) return;
    this.board.add(task);
    if (this.stopped !== undefined || this.finishing) {
      this.failPending(task, new JobStoppedError({ reason: this.stopped ?? 'aborted' }));
      return;
    }
    if (task.expires !== undefined) {
      const delay = task.expires - this.config.scheduler.now();
      if (delay <= 0) {
        this.failPending(task, new TaskExpiredError({ taskId: task.id, expires: task.expires }));
        return;
      }
      const timer = this.config.scheduler.schedule(() => this.expire(task), delay);
      this.expiries.set(task, timer);
      this.subscriber.add(timer);
    }
    this.pump();
  }

  private failPending(task: Task<D, R>, error: unknown): void {
    this.failTask(task, error);
    this.pump();
  }

  /** Fails a task that is not on a worker. */
  private failTask(task: Task<D, R>, error: unknown): void {
    this.board.fail(task, error);
    this.clearTimers(task);
    this.emit({
      type: 'taskFailed',
      task,
      providerId: task.providers.at(-1),
      attempts: task.attempts,
      error,
    });
  }

  private expire(task: Task<D, R>): void {
    this.expiries.delete(task);
    const error = new TaskExpiredError({ taskId: task.id, expires: task.expires ?? 0 });
    if (task.state === 'pending') {
      this.failPending(task, error);
      return;
    }
    if (task.state !== 'running') return;
    for (const slot of this.slots) {
      if (slot.inFlight.has(task)) endWorker(this, slot, { kind: 'stopped', task, error, retry: false });
    }
    this.pump();
  }

  private startWorker(activity: ActivityOfOffer<P>): void {
    const providerId = activity.agreement.providerId;
    this.rentals.delete(providerId);
    const slot = new WorkerSlot<D, R, ActivityOfOffer<P>>(
      activity,
      providerId,
      activity.agreement.id,
      activity.id,
      () => this.pump(),
    );
    this.slots.add(slot);
    this.emit({
      type: 'workerStarted',
      providerId,
      agreementId: slot.agreementId,
      activityId: slot.activityId,
    });
    if (this.finishing) slot.endFeed();
    const work = new Subscription();
    slot.work = work;
    work.add(
      defer(() => this.config.work(activity, slot.feed)).subscribe({
        error: (error: unknown) => endWorker(this, slot, { kind: 'threw', error }),
        complete: () => endWorker(this, slot, { kind: 'returned' }),
      }),
    );
    this.pump();
  }

  private beginFinishing(): void {
    this.finishing = true;
    this.tasksSource.unsubscribe();
    this.market.close();
    this.signing.complete();
    for (const slot of this.slots) slot.endFeed();
  }

  private stop(reason: JobStopReason): void {
    if (this.stopped !== undefined || this.finishing) return;
    this.stopped = reason;
    this.tasksSource.unsubscribe();
    this.board.close();
    const error = new JobStoppedError({ reason });
    for (const task of this.board.drainPending()) this.failTask(task, error);
    for (const slot of [...this.slots]) endWorker(this, slot, { kind: 'cancelled', error });
    this.pump();
  }
}
