/**
 * The submitter's reader of a job's results: an ordered consumer from a stream sequence on, made
 * again from where it stopped whenever it stalls (a NATS restart loses ephemeral consumers; the
 * client would notice only after two missed heartbeats) or the connection comes back.
 *
 * @module
 */
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { isGolemRxError } from '../errors/GolemRxError.js';
import { JobQueueError } from './errors/JobQueueError.js';
import type { JobNames } from './names.js';
import {
  type RetryContext,
  Stopped,
  isGone,
  isPermanent,
  loadJetStream,
  pause,
  queueError,
  retrying,
} from './natsOps.js';

/** The pause before the reader is made again, ms. */
const REOPEN_MS = 100;

/**
 * Hands every result message (its bytes), in stream order and each once, to `take` until it
 * returns true.
 *
 * @throws {JobQueueError} when the job's results stream is deleted first, or NATS refuses for good
 * @throws what `take` throws
 * @throws {Stopped} when aborted
 * @internal
 */
export async function readResults(
  context: RetryContext,
  jsm: JetStreamManager,
  js: JetStreamClient,
  names: JobNames,
  take: (data: Uint8Array) => boolean,
): Promise<void> {
  const { DeliverPolicy } = await loadJetStream(context.link);
  const { link, signal } = context;
  let nextSeq = 1;
  let current: ConsumerMessages | undefined;
  const stopCurrent = (): void => void current?.stop();
  // a reconnection: the reader may be gone with the server's memory; make it again (the report
  // health$ replays at once is an old one)
  let replayed = true;
  const reconnections = link.health$.subscribe((health) => {
    if (!replayed && health.kind === 'recovered') stopCurrent();
  });
  replayed = false;
  signal.addEventListener('abort', stopCurrent);
  try {
    for (;;) {
      if (signal.aborted) throw new Stopped();
      const consumer = await retrying(
        context,
        'follow',
        () =>
          js.consumers.get(names.resultsStream, {
            filter_subjects: names.resultsFilter,
            deliver_policy: DeliverPolicy.StartSequence,
            opt_start_seq: nextSeq,
          }),
        isGone,
      ).catch((error: unknown) => {
        throw isGone(error) ? deleted(context.job) : error;
      });
      const messages = await retrying(context, 'follow', () => consumer.consume());
      current = messages;
      stopOnTrouble(messages);
      try {
        for await (const msg of messages) {
          nextSeq = msg.seq + 1;
          if (take(msg.data)) return;
        }
      } catch (error: unknown) {
        if (isGolemRxError(error) || error instanceof Stopped) throw error;
        if (isPermanent(link, error)) throw queueError(link, context.job, 'follow', error);
      } finally {
        messages.stop();
      }
      if (signal.aborted) throw new Stopped();
      if (await streamDeleted(jsm, names.resultsStream)) throw deleted(context.job);
      await pause(REOPEN_MS, context.scheduler, signal);
    }
  } finally {
    signal.removeEventListener('abort', stopCurrent);
    reconnections.unsubscribe();
  }
}

/** The notifications of trouble the client would wait out for long: the reader is made again. */
const TROUBLE = new Set(['stream_not_found', 'consumer_deleted', 'heartbeats_missed', 'no_responders']);

/** Stops the reader on trouble (then it is made again, or the job found deleted). */
function stopOnTrouble(messages: ConsumerMessages): void {
  (async () => {
    for await (const status of messages.status()) if (TROUBLE.has(status.type)) messages.stop();
  })().catch((error: unknown) => {
    // the notifications failed: end the reader with that error (the loop classifies it)
    messages.stop(error instanceof Error ? error : new Error(String(error)));
  });
}

function deleted(job: string): JobQueueError {
  return new JobQueueError({
    job,
    operation: 'follow',
    detail: 'the job was deleted before every task had an outcome',
  });
}

/** Is the stream gone? False when that cannot be told now (an outage: the reader is made again). */
async function streamDeleted(jsm: JetStreamManager, stream: string): Promise<boolean> {
  try {
    await jsm.streams.info(stream);
    return false;
  } catch (error: unknown) {
    return isGone(error);
  }
}
