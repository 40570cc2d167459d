/**
 * A task handed to this process by the job's consumer, until the engine settles it: the delivery
 * to ack or nak, kept alive meanwhile (`working()`), and how its outcome is published. The source
 * (`natsTasks`) makes leases, the sink (`ackTasks`) settles them: they meet through the `Task`
 * object the engine carries in its events.
 *
 * @module
 */
import type { JsMsg } from '@nats-io/jetstream';
import { isJobStoppedError } from '../engine/errors/JobStoppedError.js';
import { isTaskExpiredError } from '../engine/errors/TaskExpiredError.js';
import { isTaskRejectedError } from '../engine/errors/TaskRejectedError.js';
import type { TaskOutcome } from '../engine/events.js';
import type { NatsLink } from '../nats/connect.js';
import { JobMessageError } from './errors/JobMessageError.js';
import type { JobNames } from './names.js';
import { respond, tooLarge } from './natsOps.js';
import { type ResultEnvelope, type TaskEnvelope, write } from './wire.js';

/** What a lease needs from the source that made it. @internal */
export interface LeaseHost {
  readonly link: NatsLink;
  readonly names: JobNames;
  /** This process's name in the results. */
  readonly worker: string;
  /**
   * How long a task handed back when unsubscribed waits before it is handed out again, ms: the
   * pull of this process still open on the server (at most this long) must not take it back.
   */
  readonly handBackDelayMs: number;
  /** The user's result encoder (identity by default). */
  readonly encode: (result: unknown) => unknown;
  /**
   * Publishes a result durably (retried through outages, deduplicated by `msgID`): `stored`, or
   * `gone` when the job's streams were deleted. Rejects with a `JobQueueError` when it cannot.
   */
  publish(subject: string, body: string, msgID: string, signal: AbortSignal): Promise<'stored' | 'gone'>;
  /** The lease is over: its capacity is free again. */
  released(lease: TaskLease): void;
}

/** A failure as it crosses the wire: its name and message. @internal */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

/** What to do with a task the engine settled. */
type Verdict = { readonly kind: 'nak' } | { readonly kind: 'publish'; readonly body: string };

/** The leases of the tasks emitted by `natsTasks`, by `Task` object. @internal */
export const leases = new WeakMap<object, TaskLease>();

/** One delivered task, held by this process until the engine settles it. @internal */
export class TaskLease {
  private state: 'held' | 'settling' | 'settled' = 'held';

  constructor(
    private readonly host: LeaseHost,
    readonly msg: JsMsg,
    readonly envelope: TaskEnvelope,
    readonly token: string,
  ) {}

  /** How many times the task was handed out, this time included. */
  get deliveries(): number {
    return this.msg.info.deliveryCount;
  }

  /** Tells the server the task is still being worked on (its ack wait starts again). */
  heartbeat(): void {
    if (this.state !== 'settled') respond(this.host.link, this.msg, 'working');
  }

  /**
   * Settles the task from the engine's outcome: publishes its result, or its failure when it is
   * final, then acks; naks it (handed out again at once, maybe to another process) when the job
   * here stopped before it finished, or when it failed here and deliveries remain. Once only.
   * Aborted or failed before the ack, the task is nak'd.
   */
  async settle<D, R>(outcome: TaskOutcome<D, R>, signal: AbortSignal): Promise<void> {
    if (this.state !== 'held') return;
    await this.run(this.verdict(outcome), signal);
  }

  /** Fails the task for good without running it (undecodable, handed out too often). */
  async fail(error: WireError, signal: AbortSignal): Promise<void> {
    if (this.state !== 'held') return;
    await this.run({ kind: 'publish', body: this.failure(error) }, signal);
  }

  /** Acks a task that already has a result (an earlier delivery finished it). */
  skip(): void {
    if (this.state !== 'held') return;
    respond(this.host.link, this.msg, 'ack');
    this.finish();
  }

  /** Hands an unsettled task back (the source is unsubscribed). */
  abandon(): void {
    if (this.state !== 'held') return;
    respond(this.host.link, this.msg, 'nak', this.host.handBackDelayMs);
    this.finish();
  }

  private async run(verdict: Verdict, signal: AbortSignal): Promise<void> {
    this.state = 'settling';
    try {
      if (verdict.kind === 'publish') {
        const subject = this.host.names.resultSubject(this.token);
        const stored = await this.host.publish(subject, verdict.body, this.token, signal);
        // gone: the job was deleted (cancelJob, or it completed): nothing left to ack
        if (stored === 'stored') respond(this.host.link, this.msg, 'ack');
      } else respond(this.host.link, this.msg, 'nak');
      this.finish();
    } catch (error: unknown) {
      if (this.state === 'settling') {
        respond(this.host.link, this.msg, 'nak');
        this.finish();
      }
      throw error;
    }
  }

  private finish(): void {
    this.state = 'settled';
    this.host.released(this);
  }

  private verdict<D, R>(outcome: TaskOutcome<D, R>): Verdict {
    if (outcome.type === 'taskFinished') {
      try {
        const result = this.host.encode(outcome.result) ?? null;
        const envelope: ResultEnvelope = {
          ...this.origin(),
          ok: true,
          result,
          providerId: outcome.providerId,
          attempt: outcome.attempt,
        };
        const body = write(envelope);
        const size = tooLarge(this.host.link, body);
        if (size !== undefined)
          throw new Error(`${size.bytes} bytes of JSON, over the server's max_payload of ${size.limit}`);
        return { kind: 'publish', body };
      } catch (error: unknown) {
        const unusable = new JobMessageError(
          {
            job: this.host.names.job,
            kind: 'result',
            taskId: this.envelope.id,
            detail: `it cannot be encoded: ${error instanceof Error ? error.message : String(error)}`,
          },
          { cause: error },
        );
        return { kind: 'publish', body: this.failure(unusable) };
      }
    }
    const error = outcome.error;
    if (isJobStoppedError(error)) return { kind: 'nak' };
    const final =
      (isTaskRejectedError(error) && !error.retry) ||
      isTaskExpiredError(error) ||
      this.deliveries >= this.envelope.maxDeliveries;
    return final ? { kind: 'publish', body: this.failure(asWireError(error)) } : { kind: 'nak' };
  }

  private origin(): { v: 1; id: string; worker: string; deliveries: number } {
    return { v: 1, id: this.envelope.id, worker: this.host.worker, deliveries: this.deliveries };
  }

  private failure(error: WireError): string {
    const envelope: ResultEnvelope = {
      ...this.origin(),
      ok: false,
      error: { name: error.name, message: error.message },
    };
    return write(envelope);
  }
}

/** Any thrown value as a name and a message. @internal */
export function asWireError(error: unknown): WireError {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
