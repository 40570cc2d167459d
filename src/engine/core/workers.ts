/**
 * The life of a worker in the scheduling core: handing it a task (and the task's timeout), the
 * task being settled by the worker, and the worker's end (its unsettled tasks re-queued, its
 * activity and agreement released with a success or failure code).
 *
 * @module
 */
import { type Subscription, defer } from 'rxjs';
import { TaskRejectedError } from '../errors/TaskRejectedError.js';
import { TaskStateError } from '../errors/TaskStateError.js';
import { TaskTimeoutError } from '../errors/TaskTimeoutError.js';
import { WorkerFailedError } from '../errors/WorkerFailedError.js';
import type { OfferProposal } from '../../ports/index.js';
import type { EngineEvent } from '../events.js';
import type { AttemptOutcome, Task } from '../Task.js';
import type { ActivityOfOffer, ReleaseOutcome, TaskEngineConfig } from './ports.js';
import type { AttemptVerdict, TaskBoard } from './TaskBoard.js';
import type { WorkerSlot } from './WorkerSlot.js';

/** What the worker functions need of the core. */
export interface WorkerHost<P extends OfferProposal, D, R> {
  readonly config: TaskEngineConfig<P, D, R>;
  readonly board: TaskBoard<D, R>;
  readonly slots: Set<WorkerSlot<D, R, ActivityOfOffer<P>>>;
  readonly taskTimers: Map<Task<D, R>, Subscription>;
  releasing: number;
  emit(event: EngineEvent<D, R>): void;
  pump(): void;
  providerFailed(providerId: string): void;
  clearTimers(task: Task<D, R>): void;
}

/** How a worker ended. */
export type WorkerEnd<D, R> =
  /** The worker function returned. */
  | { readonly kind: 'returned' }
  /** The worker function threw. */
  | { readonly kind: 'threw'; readonly error: unknown }
  /** The core stopped it: `task` timed out (retry) or expired (no retry). */
  | { readonly kind: 'stopped'; readonly task: Task<D, R>; readonly error: unknown; readonly retry: boolean }
  /** The job stopped: its tasks fail with `error`. */
  | { readonly kind: 'cancelled'; readonly error: unknown };

type Slot<P extends OfferProposal, D, R> = WorkerSlot<D, R, ActivityOfOffer<P>>;

function reportAttempt<P extends OfferProposal, D, R>(
  host: WorkerHost<P, D, R>,
  task: Task<D, R>,
  providerId: string,
  verdict: AttemptVerdict,
  error: unknown,
): void {
  if (verdict === 'retried') {
    host.emit({ type: 'taskRetried', task, providerId, attempt: task.attempts, error });
  } else {
    host.emit({ type: 'taskFailed', task, providerId, attempts: task.attempts, error });
  }
}

function settle<P extends OfferProposal, D, R>(
  host: WorkerHost<P, D, R>,
  slot: Slot<P, D, R>,
  task: Task<D, R>,
  attempt: number,
  outcome: AttemptOutcome<R>,
): void {
  const operation = outcome.kind;
  if (slot.over || !slot.inFlight.has(task) || task.attempts !== attempt) {
    throw new TaskStateError({ taskId: task.id, state: `settled (attempt ${attempt})`, operation });
  }
  if (host.config.isCaller && !host.config.isCaller(slot.feed)) {
    throw new TaskStateError({ taskId: task.id, state: 'held by another worker', operation });
  }
  const { board } = host;
  const providerId = slot.providerId;
  // Out of the worker first: an event handler that stops the job must not fail this task again.
  const left = slot.settled(task);
  host.clearTimers(task);
  if (outcome.kind === 'accept') {
    board.finish(task, outcome.result);
    board.providerSucceeded(providerId);
    host.emit({ type: 'taskFinished', task, result: outcome.result, providerId, attempt });
  } else {
    const { reason, retry } = outcome;
    const error = new TaskRejectedError(
      { taskId: task.id, providerId, reason: reason instanceof Error ? reason.message : reason, retry },
      { cause: reason instanceof Error ? reason : undefined },
    );
    const verdict = board.attemptFailed(task, error, retry);
    if (retry) host.providerFailed(providerId);
    reportAttempt(host, task, providerId, verdict, error);
  }
  left.notify();
  host.pump();
}

/** Hands `task` to the waiting `slot`: one more attempt, with its timeout. */
export function beginTask<P extends OfferProposal, D, R>(
  host: WorkerHost<P, D, R>,
  slot: Slot<P, D, R>,
  task: Task<D, R>,
): void {
  const attempt = task.attempts + 1;
  task.begin(slot.providerId, (outcome) => settle(host, slot, task, attempt, outcome));
  host.board.started(task);
  host.emit({ type: 'taskStarted', task, providerId: slot.providerId, activityId: slot.activityId, attempt });
  if (task.timeout !== undefined) {
    const timeoutMs = task.timeout;
    const error = new TaskTimeoutError({ taskId: task.id, providerId: slot.providerId, timeoutMs });
    host.taskTimers.set(
      task,
      host.config.scheduler.schedule(
        () => endWorker(host, slot, { kind: 'stopped', task, error, retry: true }),
        timeoutMs,
      ),
    );
  }
  slot.hand(task);
}

function release<P extends OfferProposal, D, R>(
  host: WorkerHost<P, D, R>,
  slot: Slot<P, D, R>,
  outcome: ReleaseOutcome,
): void {
  host.releasing++;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    host.releasing--;
    host.pump();
  };
  const { agreementId, providerId } = slot;
  // Detached on purpose: a release runs to its end even when the job's subscriber has left.
  defer(() => host.config.release(slot.activity, outcome)).subscribe({
    error: (error: unknown) => {
      host.emit({ type: 'cleanupFailed', action: 'releaseWorker', resourceId: agreementId, error });
      finish();
    },
    complete: () => {
      host.emit({
        type: 'agreementTerminated',
        agreementId,
        providerId,
        success: outcome.code === 'Success',
        reason: outcome.reason,
      });
      finish();
    },
  });
}

/**
 * Ends a worker: stops it, re-queues (or fails) the tasks it held, counts a failure against its
 * provider when it failed, and releases its activity and agreement with the matching code.
 */
export function endWorker<P extends OfferProposal, D, R>(
  host: WorkerHost<P, D, R>,
  slot: Slot<P, D, R>,
  end: WorkerEnd<D, R>,
): void {
  if (slot.over) return;
  slot.over = true;
  slot.endFeed();
  slot.work?.unsubscribe();
  host.slots.delete(slot);
  const { providerId, activityId } = slot;
  const held = [...slot.inFlight];
  let failure: WorkerFailedError | undefined;
  if (end.kind === 'threw') {
    failure = new WorkerFailedError({ providerId, activityId, failure: 'threw' }, { cause: end.error });
  } else if (end.kind === 'stopped') {
    failure = new WorkerFailedError({ providerId, activityId, failure: 'stopped' }, { cause: end.error });
  } else if (end.kind === 'returned' && held.length > 0) {
    failure = new WorkerFailedError({ providerId, activityId, failure: 'unsettled' });
  }
  for (const task of held) {
    slot.inFlight.delete(task);
    host.clearTimers(task);
    if (end.kind === 'cancelled') {
      host.board.fail(task, end.error);
      host.emit({ type: 'taskFailed', task, providerId, attempts: task.attempts, error: end.error });
    } else if (end.kind === 'stopped' && task === end.task) {
      reportAttempt(host, task, providerId, host.board.attemptFailed(task, end.error, end.retry), end.error);
    } else {
      reportAttempt(host, task, providerId, host.board.attemptFailed(task, failure, true), failure);
    }
  }
  if (failure !== undefined) host.providerFailed(providerId);
  const error = end.kind === 'cancelled' ? end.error : failure;
  host.emit({ type: 'workerFinished', providerId, agreementId: slot.agreementId, activityId, error });
  const outcome: ReleaseOutcome =
    end.kind === 'cancelled'
      ? { code: 'Cancelled', reason: 'Work cancelled by the requestor' }
      : failure === undefined
        ? { code: 'Success', reason: 'Finished' }
        : { code: 'Failure', reason: failure.message };
  release(host, slot, outcome);
  host.pump();
}
