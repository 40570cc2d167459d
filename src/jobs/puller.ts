/**
 * The worker side of a job: pulls tasks from the job's consumer, never more than the process's
 * capacity, keeps the ones it holds alive, and finds out when the job is over.
 *
 * @module
 */
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { type Subscription, interval } from 'rxjs';
import { Task } from '../engine/Task.js';
import { isGolemRxError } from '../errors/GolemRxError.js';
import type { NatsLink } from '../nats/connect.js';
import { JobMessageError } from './errors/JobMessageError.js';
import { type LeaseHost, TaskLease, asWireError, leases } from './lease.js';
import { type JobNames, jobNames, taskToken } from './names.js';
import {
  type RetryContext,
  Stopped,
  isGone,
  isPermanent,
  connectJetStream,
  pause,
  queueError,
  respond,
  retrying,
} from './natsOps.js';
import type { TasksSettings } from './options.js';
import { envelopeId, readTask } from './wire.js';

/** JetStream's ack wait when a consumer states none (30 s), ns. */
const DEFAULT_ACK_WAIT_NS = 30_000_000_000;
/** The pause after a failed pull, ms. */
const PULL_RETRY_MS = 250;

/** Pulls the tasks of one job for one subscription of `natsTasks`. @internal */
export class TaskPuller<D, R> implements LeaseHost {
  readonly names: JobNames;
  readonly worker: string;
  readonly encode: (result: unknown) => unknown;
  readonly handBackDelayMs: number;
  private readonly held = new Set<TaskLease>();
  private credit: number;
  private wake: (() => void) | undefined;
  private readonly context: RetryContext;
  private jsm: JetStreamManager | undefined;
  private js: JetStreamClient | undefined;

  constructor(
    readonly link: NatsLink,
    private readonly settings: TasksSettings<D, R>,
    private readonly emit: (task: Task<D, R>) => void,
    private readonly signal: AbortSignal,
  ) {
    this.names = jobNames(settings.job);
    this.worker = settings.worker;
    this.encode = settings.encode as (result: unknown) => unknown;
    this.credit = settings.capacity;
    this.handBackDelayMs = settings.pollTimeoutMs;
    this.context = { link, job: settings.job, scheduler: settings.scheduler, signal };
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  /**
   * Pulls until the job is complete (sealed and every task acked) or deleted; resolves then.
   * @throws {JobQueueError} when NATS refuses for good or the connection is closed
   * @throws {JobMessageError} when the job's stream holds a message that is not a task
   * @throws {Stopped} when unsubscribed
   */
  async run(): Promise<void> {
    const jsm = await connectJetStream(this.context, 'setup');
    this.jsm = jsm;
    this.js = jsm.jetstream();
    const consumer = await this.awaitJob(this.js);
    if (consumer === undefined) return;
    const info = await retrying(this.context, 'setup', () => consumer.info(true));
    const ackWaitMs = (info.config.ack_wait ?? DEFAULT_ACK_WAIT_NS) / 1_000_000;
    const heartbeats: Subscription = interval(Math.max(ackWaitMs / 3, 10), this.settings.scheduler).subscribe(
      () => {
        for (const lease of this.held) lease.heartbeat();
      },
    );
    try {
      await this.pull(consumer);
    } finally {
      heartbeats.unsubscribe();
    }
  }

  /** Hands back every task not settled yet (unsubscribed). */
  abandonAll(): void {
    for (const lease of [...this.held]) lease.abandon();
  }

  /** {@link LeaseHost.publish}: retried through outages; `gone` once the job's results stream is. */
  publish(subject: string, body: string, msgID: string, signal: AbortSignal): Promise<'stored' | 'gone'> {
    const js = this.js;
    if (js === undefined) return Promise.reject(new Stopped());
    return retrying({ ...this.context, signal }, 'publish', async () => {
      try {
        await js.publish(subject, body, { msgID });
        return 'stored' as const;
      } catch (error: unknown) {
        if (!isPermanent(this.link, error) && (await this.streamGone(this.names.resultsStream)))
          return 'gone';
        throw error;
      }
    });
  }

  /** {@link LeaseHost.released} */
  released(lease: TaskLease): void {
    if (!this.held.delete(lease)) return;
    this.credit++;
    this.wake?.();
  }

  /** The job's consumer, once the submitter has made it (looked for every poll timeout). */
  private async awaitJob(js: JetStreamClient): Promise<Consumer | undefined> {
    for (;;) {
      try {
        return await retrying(
          this.context,
          'setup',
          () => js.consumers.get(this.names.tasksStream, this.names.consumer),
          isGone,
        );
      } catch (error: unknown) {
        if (!isGone(error)) throw error;
        await pause(this.settings.pollTimeoutMs, this.settings.scheduler, this.signal);
        if (this.signal.aborted) return undefined;
      }
    }
  }

  private async pull(consumer: Consumer): Promise<void> {
    while (!this.signal.aborted) {
      await this.hasCredit();
      if (this.signal.aborted) return;
      const asked = this.credit;
      let received = 0;
      try {
        const batch = await consumer.fetch({ max_messages: asked, expires: this.settings.pollTimeoutMs });
        // Not stopped when unsubscribed: the server still holds the pull until it expires and
        // would hand it tasks nobody reads (lost until their ack wait). Read on, hand them back
        // (delayed past the pull, so that it does not take them again).
        for await (const msg of batch) {
          received++;
          if (this.signal.aborted) respond(this.link, msg, 'nak', this.handBackDelayMs);
          else await this.receive(msg);
        }
      } catch (error: unknown) {
        if (this.signal.aborted) return;
        if (isGolemRxError(error) || error instanceof Stopped) throw error;
        if (isGone(error) || (await this.streamGone(this.names.tasksStream))) return;
        if (isPermanent(this.link, error)) throw queueError(this.link, this.settings.job, 'fetch', error);
        await pause(PULL_RETRY_MS, this.settings.scheduler, this.signal);
        continue;
      }
      if (received < asked && this.held.size === 0 && (await this.jobComplete())) return;
    }
  }

  /** Resolves when this process may hold one more task (or is unsubscribed). */
  private hasCredit(): Promise<void> {
    if (this.credit > 0 || this.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** One delivery: a task for the engine, or settled at once (finished before, unusable, exhausted). */
  private async receive(msg: JsMsg): Promise<void> {
    const envelope = readTask(msg.data);
    if (typeof envelope === 'string') {
      // not a task of golem-rx's: take it off the queue, and say so loudly
      respond(this.link, msg, 'ack');
      throw new JobMessageError({
        job: this.settings.job,
        kind: 'task',
        taskId: envelopeId(msg.data),
        detail: envelope,
      });
    }
    const lease = new TaskLease(this, msg, envelope, taskToken(envelope.id));
    this.held.add(lease);
    this.credit--;
    if (lease.deliveries > 1 && (await this.hasResult(lease.token))) return lease.skip();
    if (this.signal.aborted) return lease.abandon();
    if (lease.deliveries > envelope.maxDeliveries) {
      const message = `handed out ${envelope.maxDeliveries} times without an outcome (the processes holding it stopped or died)`;
      return lease.fail({ name: 'DeliveriesExhausted', message }, this.signal);
    }
    let task: Task<D, R>;
    try {
      task = new Task<D, R>(this.settings.decode(envelope.data), {
        id: envelope.id,
        timeout: envelope.timeout,
        expires: envelope.expires,
      });
    } catch (error: unknown) {
      const unusable = new JobMessageError(
        { job: this.settings.job, kind: 'task', taskId: envelope.id, detail: asWireError(error).message },
        { cause: error },
      );
      return lease.fail(unusable, this.signal);
    }
    leases.set(task, lease);
    this.emit(task);
  }

  /** Does the task have a result already (an earlier delivery finished it)? True when the job is gone. */
  private async hasResult(token: string): Promise<boolean> {
    const jsm = this.jsm;
    if (jsm === undefined) return false;
    try {
      const stored = await retrying(
        this.context,
        'fetch',
        () =>
          jsm.streams.getMessage(this.names.resultsStream, { last_by_subj: this.names.resultSubject(token) }),
        isGone,
      );
      return stored !== null;
    } catch (error: unknown) {
      if (isGone(error)) return true;
      throw error;
    }
  }

  /** Is the job over: sealed, and every task acked (the work queue empty), or deleted? */
  private async jobComplete(): Promise<boolean> {
    const jsm = this.jsm;
    if (jsm === undefined) return false;
    try {
      const seal = await retrying(
        this.context,
        'fetch',
        () => jsm.streams.getMessage(this.names.resultsStream, { last_by_subj: this.names.sealedSubject }),
        isGone,
      );
      if (seal === null) return false;
      const info = await retrying(
        this.context,
        'fetch',
        () => jsm.streams.info(this.names.tasksStream),
        isGone,
      );
      return info.state.messages === 0;
    } catch (error: unknown) {
      if (isGone(error)) return true;
      throw error;
    }
  }

  /** Was the stream deleted? False when that cannot be told now (an outage). */
  private async streamGone(stream: string): Promise<boolean> {
    const jsm = this.jsm;
    if (jsm === undefined) return false;
    try {
      await jsm.streams.info(stream);
      return false;
    } catch (error: unknown) {
      // an outage answers nothing: not gone, the caller retries
      return isGone(error);
    }
  }
}
