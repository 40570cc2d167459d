import type { NatsConnection } from '@nats-io/nats-core';
import type { GolemRxError } from '../../../errors/GolemRxError.js';
import { RemoteDisconnectedError } from '../errors/RemoteDisconnectedError.js';
import type { NowaitResult, SendQueueLimits } from '../SendQueue.js';
import type { EncodedFrame } from '../wire/codec.js';

/**
 * The first byte of every NATS message the bus sends says what follows: whole frames (one or
 * more, each exactly as on a Unix socket: length prefix, JSON length, JSON, attachments), or a
 * part of one frame too large for one NATS message (the server's `max_payload`, 1 MiB by
 * default): its first part, a middle one, or the last.
 */
export const MESSAGE_WHOLE = 0;
/** See {@link MESSAGE_WHOLE}. */
export const MESSAGE_FIRST = 1;
/** See {@link MESSAGE_WHOLE}. */
export const MESSAGE_MIDDLE = 2;
/** See {@link MESSAGE_WHOLE}. */
export const MESSAGE_LAST = 3;

/** Small frames to one endpoint sent in one run are batched into one message up to this size. */
const BATCH_BYTES = 64 * 1024;

/** `max_payload` until the server said otherwise (nats-server's default). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The limits of a {@link NatsWire}: the endpoint's backpressure and `broadcastNowait` bounds. */
export type NatsWireLimits = Pick<
  SendQueueLimits,
  'highWaterMark' | 'nowaitMaxFrames' | 'nowaitMaxBytes' | 'overflow'
>;

interface Batch {
  readonly frames: EncodedFrame[];
  bytes: number;
}

/** Copy `length` bytes of `parts` (as one byte run), from offset `skip`, into `target` at `at`. */
function gather(
  parts: readonly Uint8Array[],
  skip: number,
  length: number,
  target: Uint8Array,
  at: number,
): void {
  for (const part of parts) {
    if (length === 0) return;
    if (skip >= part.byteLength) {
      skip -= part.byteLength;
      continue;
    }
    const n = Math.min(part.byteLength - skip, length);
    target.set(part.subarray(skip, skip + n), at);
    at += n;
    length -= n;
    skip = 0;
  }
}

/**
 * The sending side of an endpoint on NATS: frames become NATS messages on the subject of the
 * endpoint they go to. Small frames to one endpoint sent in one synchronous run leave in one
 * message (flushed at the next tick, or once {@link BATCH_BYTES} are batched); a frame above the
 * server's `max_payload` is cut into parts. A broadcast's frame is cut once for all its targets.
 *
 * Backpressure: the bytes sent since the server last confirmed everything (a NATS `flush`, a
 * PING/PONG round trip) are the backlog. Above the high-water mark a flush starts and `send`
 * waits for the backlog to fall under it: the caller waits for the NATS server, not for the
 * receiving endpoints (the server cuts a receiver that falls too far behind: a slow consumer).
 * `sendNowait` never waits; the backlog's bounds and the overflow policy decide (`drop-oldest`
 * cannot take back what was handed to the client and acts as `drop-newest`).
 */
export class NatsWire {
  private readonly batches = new Map<string, Batch>();
  private readonly messages = new WeakMap<EncodedFrame, readonly Uint8Array[]>();
  private tickPending = false;
  private backlogBytes = 0;
  private backlogFrames = 0;
  private flushing = false;
  /** Counts resets: a flush that started before one measured a backlog that is gone. */
  private generation = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly onTick = (): void => {
    this.tickPending = false;
    this.flushBatches();
  };

  constructor(
    private readonly connection: NatsConnection,
    private readonly limits: NatsWireLimits,
    /** A message that could not be handed to the client (the connection closed under it). */
    private readonly onError: (error: GolemRxError) => void,
    /** The endpoint a subject's messages go to, for reports. */
    private readonly target: (subject: string) => string,
  ) {}

  /** Send a frame to `subject`; the Promise (if any) resolves once the backlog is under the mark. */
  send(subject: string, frame: EncodedFrame): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.queue(subject, frame);
    if (this.backlogBytes <= this.limits.highWaterMark) return undefined;
    const drained = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.startFlush();
    return drained;
  }

  /** Send a frame without waiting, within the backlog's bounds and by the overflow policy. */
  sendNowait(subject: string, frame: EncodedFrame): NowaitResult {
    if (this.closed) return 'queued';
    if (this.wouldOverflow(frame.bytes)) {
      this.startFlush();
      return this.limits.overflow === 'error' ? 'full' : 'dropped-newest';
    }
    this.queue(subject, frame);
    return 'queued';
  }

  /** Would a nowait frame of this size overflow the backlog's bounds right now? */
  wouldOverflow(size: number): boolean {
    return (
      this.backlogFrames > 0 &&
      (this.backlogFrames + 1 > this.limits.nowaitMaxFrames ||
        this.backlogBytes + size > this.limits.nowaitMaxBytes)
    );
  }

  /** Publish a message as is (presence), reporting a failure. */
  publish(subject: string, data: Uint8Array): void {
    if (this.closed) return;
    try {
      this.connection.publish(subject, data);
    } catch (err) {
      this.onError(new RemoteDisconnectedError({ endpoint: this.target(subject) }, { cause: err }));
    }
  }

  /** Publish what is batched for `subject` now. */
  flushSubject(subject: string): void {
    const batch = this.batches.get(subject);
    if (batch === undefined) return;
    this.batches.delete(subject);
    this.publishBatch(subject, batch);
  }

  /** Drop what is batched for `subject` (its endpoint went away). */
  discard(subject: string): void {
    this.batches.delete(subject);
  }

  /**
   * The connection dropped: what the client held is gone. Forget the backlog and release every
   * waiting `send`.
   */
  reset(): void {
    this.batches.clear();
    this.backlogBytes = this.backlogFrames = 0;
    this.generation++;
    this.releaseWaiters();
  }

  /** Publish everything batched, then refuse more and release every waiting `send`. */
  close(): void {
    this.flushBatches();
    this.closed = true;
    this.releaseWaiters();
  }

  private queue(subject: string, frame: EncodedFrame): void {
    this.backlogBytes += frame.bytes;
    this.backlogFrames++;
    const maxBatch = Math.min(BATCH_BYTES, this.maxPayload() - 1);
    if (frame.bytes > maxBatch) {
      this.flushSubject(subject);
      for (const message of this.messagesOf(frame)) this.publish(subject, message);
    } else {
      let batch = this.batches.get(subject);
      if (batch !== undefined && batch.bytes + frame.bytes > maxBatch) {
        this.flushSubject(subject);
        batch = undefined;
      }
      if (batch === undefined) {
        batch = { frames: [], bytes: 0 };
        this.batches.set(subject, batch);
      }
      batch.frames.push(frame);
      batch.bytes += frame.bytes;
      if (!this.tickPending) {
        this.tickPending = true;
        process.nextTick(this.onTick);
      }
    }
    if (
      this.backlogBytes > this.limits.highWaterMark ||
      this.backlogFrames * 2 > this.limits.nowaitMaxFrames
    ) {
      this.startFlush();
    }
  }

  private maxPayload(): number {
    return this.connection.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** The messages of a large frame: one, or its parts. Built once, whatever the number of targets. */
  private messagesOf(frame: EncodedFrame): readonly Uint8Array[] {
    const cached = this.messages.get(frame);
    if (cached !== undefined) return cached;
    const room = this.maxPayload() - 1;
    const messages: Uint8Array[] = [];
    if (frame.bytes <= room) {
      const message = new Uint8Array(1 + frame.bytes);
      message[0] = MESSAGE_WHOLE;
      gather(frame.parts, 0, frame.bytes, message, 1);
      messages.push(message);
    } else {
      for (let at = 0; at < frame.bytes; at += room) {
        const n = Math.min(room, frame.bytes - at);
        const message = new Uint8Array(1 + n);
        message[0] = at === 0 ? MESSAGE_FIRST : at + n === frame.bytes ? MESSAGE_LAST : MESSAGE_MIDDLE;
        gather(frame.parts, at, n, message, 1);
        messages.push(message);
      }
    }
    this.messages.set(frame, messages);
    return messages;
  }

  private publishBatch(subject: string, batch: Batch): void {
    const message = new Uint8Array(1 + batch.bytes);
    message[0] = MESSAGE_WHOLE;
    let at = 1;
    for (const frame of batch.frames) {
      for (const part of frame.parts) {
        message.set(part, at);
        at += part.byteLength;
      }
    }
    this.publish(subject, message);
  }

  private flushBatches(): void {
    for (const subject of [...this.batches.keys()]) this.flushSubject(subject);
  }

  /** Publish the batches, then ask the server to confirm everything so far (one round trip). */
  private startFlush(): void {
    if (this.flushing || this.closed) return;
    this.flushBatches();
    this.flushing = true;
    const bytes = this.backlogBytes;
    const frames = this.backlogFrames;
    const generation = this.generation;
    const done = (): void => {
      this.flushing = false;
      if (generation === this.generation) {
        this.backlogBytes -= bytes;
        this.backlogFrames -= frames;
      }
      if (this.backlogBytes > this.limits.highWaterMark) this.startFlush();
      else this.releaseWaiters();
    };
    // A flush fails only when the connection drops or closes; reset() or close() handle that,
    // and the backlog it measured is gone either way.
    this.connection.flush().then(done, done);
  }

  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
