/**
 * The small JetStream steps the job parts share: how a client error is classified (the job's
 * streams gone, a permanent refusal, or an outage to wait out), retries on the job's scheduler,
 * and acks that are not sent on a closed connection.
 *
 * @module
 */
import type { JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { type SchedulerLike, timer } from 'rxjs';
import type { NatsLink } from '../nats/connect.js';
import { NatsConnectionError } from '../nats/errors/NatsConnectionError.js';
import { JobQueueError, type JobQueueOperation } from './errors/JobQueueError.js';

/** Errors of the client that no retry fixes. */
const PERMANENT = new Set([
  'AuthorizationError',
  'PermissionViolationError',
  'InvalidSubjectError',
  'InvalidArgumentError',
  'InvalidNameError',
  'ClosedConnectionError',
  'DrainingConnectionError',
]);

/** The first and the longest wait between two tries of a step during an outage, ms. */
const BACKOFF = { initialMs: 100, maxMs: 2000 } as const;

/** The JetStream client module, loaded on first use (golem-rx/nats loads without it). */
type JetStreamModule = typeof import('@nats-io/jetstream');

let jetstreamModule: Promise<JetStreamModule> | undefined;

/**
 * Loads `@nats-io/jetstream`, or fails with a {@link NatsConnectionError} (`operation: 'load'`)
 * saying what to install. @internal
 */
export function loadJetStream(link: NatsLink): Promise<JetStreamModule> {
  jetstreamModule ??= import('@nats-io/jetstream').catch((error: unknown) => {
    jetstreamModule = undefined;
    throw new NatsConnectionError(
      'NATS jobs need the optional peer dependency: npm install @nats-io/jetstream',
      { operation: 'load', servers: link.servers },
      { cause: error },
    );
  });
  return jetstreamModule;
}

/** Milliseconds as JetStream's nanoseconds. @internal */
export const nanos = (ms: number): number => Math.round(ms * 1_000_000);

/** Room kept for the headers (the message id) under the server's `max_payload`, bytes. */
const HEADER_ROOM = 512;

/**
 * Is `body` too large for the server to take (its `max_payload`, 1 MB by default, less room for
 * the headers)? False while the server's limits are not known. @internal
 */
export function tooLarge(link: NatsLink, body: string): { bytes: number; limit: number } | undefined {
  const limit = link.connection.info?.max_payload;
  if (limit === undefined) return undefined;
  const bytes = Buffer.byteLength(body, 'utf8');
  return bytes + HEADER_ROOM > limit ? { bytes, limit } : undefined;
}

/** The name of a client error. @internal */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Does the error say the job's stream or consumer does not exist? @internal */
export function isGone(error: unknown): boolean {
  const name = errorName(error);
  return name === 'StreamNotFoundError' || name === 'ConsumerNotFoundError';
}

/** Is the connection closed or closing (so that nothing more can be sent)? @internal */
export function isDown(link: NatsLink): boolean {
  return link.connection.isClosed() || link.connection.isDraining();
}

/**
 * Does no retry fix it: the connection is closed, or the server refused for good (a JetStream API
 * error other than a 5xx, a permission)? Everything else (timeouts, no responders while a server
 * restarts, missed heartbeats) is an outage. @internal
 */
export function isPermanent(link: NatsLink, error: unknown): boolean {
  if (isDown(link) || PERMANENT.has(errorName(error))) return true;
  if (errorName(error) === 'JetStreamApiError') {
    const status = (error as { status?: unknown }).status;
    return !(typeof status === 'number' && status >= 500);
  }
  return false;
}

/** The client's error as a {@link JobQueueError}, its text masked by the link. @internal */
export function queueError(
  link: NatsLink,
  job: string,
  operation: JobQueueOperation,
  error: unknown,
): JobQueueError {
  const text = link.mask(error instanceof Error ? error.message : String(error));
  const cause = new Error(text);
  cause.name = errorName(error);
  const detail = isDown(link) ? `the NATS connection is closed (${text})` : `${cause.name}: ${text}`;
  return new JobQueueError({ job, operation, detail }, { cause });
}

/** Resolves after `ms` on `scheduler`, or at once when `signal` aborts. @internal */
export function pause(ms: number, scheduler: SchedulerLike, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      subscription.unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const subscription = timer(ms, scheduler).subscribe(done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** How a step is retried. @internal */
export interface RetryContext {
  readonly link: NatsLink;
  readonly job: string;
  readonly scheduler: SchedulerLike;
  readonly signal: AbortSignal;
}

/** Raised inside a step when the subscriber left: the caller stops without reporting. @internal */
export class Stopped extends Error {
  override readonly name = 'Stopped';
}

/**
 * Runs `step` until it succeeds, waiting out outages with a growing pause (100 ms to 2 s): the
 * connection reconnects on its own and the step is tried again.
 *
 * @returns the step's value
 * @throws {JobQueueError} when the error is permanent (see {@link isPermanent})
 * @throws {Stopped} when `signal` aborted
 * @throws what `step` throws when `passThrough` says so (e.g. the job's stream not found)
 * @internal
 */
export async function retrying<T>(
  context: RetryContext,
  operation: JobQueueOperation,
  step: () => Promise<T>,
  passThrough: (error: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (context.signal.aborted) throw new Stopped();
    try {
      return await step();
    } catch (error: unknown) {
      if (context.signal.aborted) throw new Stopped();
      if (passThrough(error)) throw error;
      if (isPermanent(context.link, error)) throw queueError(context.link, context.job, operation, error);
      await pause(
        Math.min(BACKOFF.initialMs * 2 ** attempt, BACKOFF.maxMs),
        context.scheduler,
        context.signal,
      );
    }
  }
}

/**
 * The JetStream manager on the link's connection (its client loaded on first use). A server
 * without JetStream is refused at once, not waited for.
 *
 * @throws {NatsConnectionError} when `@nats-io/jetstream` is not installed
 * @throws {JobQueueError} when the server has no JetStream, or refuses for good
 * @throws {Stopped} when aborted
 * @internal
 */
export async function connectJetStream(
  context: RetryContext,
  operation: JobQueueOperation,
): Promise<JetStreamManager> {
  const { jetstreamManager } = await loadJetStream(context.link);
  try {
    return await retrying(
      context,
      operation,
      () => jetstreamManager(context.link.connection),
      (error) => errorName(error) === 'JetStreamNotEnabled',
    );
  } catch (error: unknown) {
    if (errorName(error) === 'JetStreamNotEnabled')
      throw queueError(context.link, context.job, operation, error);
    throw error;
  }
}

/**
 * Acks, naks (handed out again at once, or after `delayMs`) or extends a delivery, unless the
 * connection is closed (then the server hands the task out again once its ack wait passes:
 * nothing to send, nothing lost). @internal
 */
export function respond(link: NatsLink, msg: JsMsg, kind: 'ack' | 'nak' | 'working', delayMs?: number): void {
  if (isDown(link)) return;
  if (kind === 'ack') msg.ack();
  else if (kind === 'nak') msg.nak(delayMs);
  else msg.working();
}
