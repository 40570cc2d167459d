/**
 * The submitter's side of a job: the job's streams and consumer, its tasks published once with
 * their seal, and its results followed until every task has one outcome.
 *
 * @module
 */
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { Task } from '../engine/Task.js';
import type { NatsLink } from '../nats/connect.js';
import { JobInputError } from './errors/JobInputError.js';
import { JobMessageError } from './errors/JobMessageError.js';
import { JobTaskFailedError } from './errors/JobTaskFailedError.js';
import { MAX_TASK_ID_LENGTH, type JobNames, jobNames, taskToken } from './names.js';
import {
  type RetryContext,
  connectJetStream,
  isGone,
  loadJetStream,
  nanos,
  retrying,
  tooLarge,
} from './natsOps.js';
import type { SubmitSettings } from './options.js';
import type { JobOutcome } from './outcome.js';
import { readResults } from './readResults.js';
import { type TaskEnvelope, envelopeId, readResult, readSeal, write } from './wire.js';

/** Tasks published at once (each waits for its JetStream ack). */
const PUBLISH_LANES = 64;
/** How long the job's streams remember message ids to drop a duplicate publish, ms. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** A task ready to publish. */
interface Prepared {
  readonly id: string;
  readonly token: string;
  readonly body: string;
}

/** Encodes and checks every task before anything is published. @throws {JobInputError} @internal */
export function prepareTasks<D>(settings: SubmitSettings<D, unknown>): Prepared[] {
  const { job } = settings;
  const seen = new Set<string>();
  const prepared: Prepared[] = [];
  let index = 0;
  for (const item of settings.tasks) {
    const task = item instanceof Task ? item : undefined;
    const id = task?.id ?? String(index);
    index++;
    if (id.length === 0 || id.length > MAX_TASK_ID_LENGTH)
      throw new JobInputError({
        job,
        taskId: id,
        problem: 'badId',
        detail: `an id has 1 to ${MAX_TASK_ID_LENGTH} characters`,
      });
    if (seen.has(id))
      throw new JobInputError({ job, taskId: id, problem: 'duplicateId', detail: 'two tasks have this id' });
    seen.add(id);
    let body: string;
    try {
      const envelope: TaskEnvelope = {
        v: 1,
        id,
        data: settings.encode(task === undefined ? (item as D) : task.data) ?? null,
        timeout: task?.timeout,
        expires: task?.expires,
        maxDeliveries: settings.maxDeliveries,
      };
      body = write(envelope);
    } catch (error: unknown) {
      throw new JobInputError(
        {
          job,
          taskId: id,
          problem: 'unencodable',
          detail: `its data cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`,
        },
        { cause: error },
      );
    }
    prepared.push({ id, token: taskToken(id), body });
  }
  return prepared;
}

/** One subscription of `submitJob`. @internal */
export class JobSubmission<D, R> {
  private readonly names: JobNames;
  private readonly context: RetryContext;
  private readonly done = new Set<string>();

  constructor(
    private readonly link: NatsLink,
    private readonly settings: SubmitSettings<D, R>,
    private readonly emit: (outcome: JobOutcome<R>) => void,
    private readonly signal: AbortSignal,
  ) {
    this.names = jobNames(settings.job);
    this.context = { link, job: settings.job, scheduler: settings.scheduler, signal };
  }

  /**
   * Submits (or resumes) the job and follows it to its end.
   * @throws {JobInputError} bad tasks, or a resumed job sealed with another number of tasks
   * @throws {JobQueueError} NATS refused for good, the connection closed, the job was deleted
   * @throws {JobMessageError} a result that is not golem-rx's, or of a task not in the job
   * @throws {Stopped} unsubscribed
   */
  async run(): Promise<void> {
    const tasks = prepareTasks(this.settings as SubmitSettings<D, unknown>);
    const jsm = await connectJetStream(this.context, 'setup');
    for (const task of tasks) {
      const size = tooLarge(this.link, task.body);
      if (size !== undefined)
        throw new JobInputError({
          job: this.settings.job,
          taskId: task.id,
          problem: 'tooLarge',
          detail: `${size.bytes} bytes of JSON, over the server's max_payload of ${size.limit}`,
        });
    }
    const js = jsm.jetstream();
    await this.ensureJob(jsm);
    const seal = await retrying(this.context, 'setup', () =>
      jsm.streams.getMessage(this.names.resultsStream, { last_by_subj: this.names.sealedSubject }),
    );
    if (seal !== null) {
      const sealed = readSeal(seal.data);
      const total = typeof sealed === 'string' ? undefined : sealed.total;
      if (total !== tasks.length)
        throw new JobInputError({
          job: this.settings.job,
          problem: 'mismatch',
          detail: `it was submitted before with ${String(total)} tasks, now with ${tasks.length}`,
        });
    }
    const ids = new Set(tasks.map((t) => t.id));
    const stop = new AbortController();
    const abort = (): void => stop.abort();
    this.signal.addEventListener('abort', abort, { once: true });
    try {
      const following = ids.size === 0 ? Promise.resolve() : this.follow(jsm, js, ids, stop.signal);
      const publishing = seal === null ? this.publish(js, tasks, stop.signal) : Promise.resolve();
      // the first failure of either stops the other
      const stopOnFailure = (step: Promise<void>): Promise<void> =>
        step.catch((error: unknown) => {
          stop.abort();
          throw error;
        });
      await Promise.all([stopOnFailure(following), stopOnFailure(publishing)]);
    } finally {
      this.signal.removeEventListener('abort', abort);
    }
    if (!this.settings.keep) await deleteJob(jsm, this.names, this.context);
  }

  /** The job's two streams and its consumer, made unless they exist. */
  private async ensureJob(jsm: JetStreamManager): Promise<void> {
    const { RetentionPolicy, StorageType, AckPolicy, DeliverPolicy } = await loadJetStream(this.link);
    const streams: (Partial<StreamConfig> & { name: string })[] = [
      {
        name: this.names.tasksStream,
        subjects: [this.names.tasksSubject],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      },
      {
        name: this.names.resultsStream,
        subjects: [this.names.resultsFilter, this.names.sealedSubject],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      },
    ];
    for (const config of streams) {
      await retrying(this.context, 'setup', async () => {
        try {
          await jsm.streams.info(config.name);
        } catch (error: unknown) {
          if (!isGone(error)) throw error;
          await jsm.streams.add(config);
        }
      });
    }
    await retrying(this.context, 'setup', async () => {
      try {
        await jsm.consumers.info(this.names.tasksStream, this.names.consumer);
      } catch (error: unknown) {
        if (!isGone(error)) throw error;
        await jsm.consumers.add(this.names.tasksStream, {
          durable_name: this.names.consumer,
          ack_policy: AckPolicy.Explicit,
          ack_wait: nanos(this.settings.ackWaitMs),
          deliver_policy: DeliverPolicy.All,
          max_deliver: -1,
        });
      }
    });
  }

  /** Publishes every task (a few at a time, each retried through outages), then the seal. */
  private async publish(js: JetStreamClient, tasks: readonly Prepared[], signal: AbortSignal): Promise<void> {
    const context = { ...this.context, signal };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        await retrying(context, 'publish', () =>
          js.publish(this.names.tasksSubject, task.body, { msgID: task.token }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUBLISH_LANES, tasks.length) }, lane));
    const seal = write({ v: 1, total: tasks.length });
    await retrying(context, 'publish', () => js.publish(this.names.sealedSubject, seal, { msgID: 'seal' }));
  }

  /** Reads the results from the first, one outcome per task, until every task has one. */
  private follow(
    jsm: JetStreamManager,
    js: JetStreamClient,
    ids: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<void> {
    return readResults({ ...this.context, signal }, jsm, js, this.names, (data) => {
      this.receive(data, ids);
      return this.done.size === ids.size;
    });
  }

  /** One result: an outcome, unless its task has one already. */
  private receive(bytes: Uint8Array, ids: ReadonlySet<string>): void {
    const job = this.settings.job;
    const envelope = readResult(bytes);
    if (typeof envelope === 'string')
      throw new JobMessageError({ job, kind: 'result', taskId: envelopeId(bytes), detail: envelope });
    const taskId = envelope.id;
    if (!ids.has(taskId))
      throw new JobMessageError({ job, kind: 'result', taskId, detail: 'no such task in the job' });
    if (this.done.has(taskId)) return; // a second outcome (the task was finished twice): the first counts
    this.done.add(taskId);
    const { worker, deliveries } = envelope;
    if (!envelope.ok) {
      const error = new JobTaskFailedError({
        job,
        taskId,
        remoteName: envelope.error.name,
        remoteMessage: envelope.error.message,
        worker,
      });
      this.emit({ type: 'taskFailed', taskId, error, worker, deliveries });
      return;
    }
    let result: R;
    try {
      result = this.settings.decode(envelope.result);
    } catch (cause: unknown) {
      const detail = `decode refused it: ${cause instanceof Error ? cause.message : String(cause)}`;
      const error = new JobMessageError({ job, kind: 'result', taskId, detail }, { cause });
      this.emit({ type: 'taskFailed', taskId, error, worker, deliveries });
      return;
    }
    const { providerId, attempt } = envelope;
    this.emit({ type: 'taskFinished', taskId, result, worker, providerId, attempt, deliveries });
  }
}

/** Deletes the job's streams (the consumer goes with its stream); gone already is fine. @internal */
export async function deleteJob(
  jsm: JetStreamManager,
  names: JobNames,
  context: RetryContext,
): Promise<void> {
  for (const stream of [names.tasksStream, names.resultsStream]) {
    await retrying(context, 'delete', async () => {
      try {
        await jsm.streams.delete(stream);
      } catch (error: unknown) {
        if (!isGone(error)) throw error;
      }
    });
  }
}
