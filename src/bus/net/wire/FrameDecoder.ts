import { FrameError, type FrameErrorKind } from '../errors/FrameError.js';
import { JSON_LENGTH_BYTES, LENGTH_PREFIX_BYTES } from './codec.js';
import { validateFrame, type Frame } from './frames.js';

/** Receives what a {@link FrameDecoder} finds in the byte stream. */
export interface FrameSink {
  /** A well-formed frame. */
  frame(frame: Frame): void;
  /** A dropped frame; `fatal` when the stream cannot be read past it (the decoder stops). */
  error(error: FrameError, fatal: boolean): void;
}

/** A frame whose body is at least this large is read into a buffer of its own, allocated once. */
export const LARGE_FRAME_BYTES = 64 * 1024;

/** Size of the scratch buffers that {@link FrameDecoder.readBuffer} hands out between large frames. */
const SCRATCH_BYTES = 64 * 1024;

/** A scratch buffer with less room than this left is replaced by a fresh one. */
const MIN_READ_BYTES = 4 * 1024;

/**
 * Small frames after which the buffer set aside for the next large frame is let go (a stream
 * that stopped sending large frames does not keep one allocated for ever).
 */
const SPARE_KEPT_FOR_FRAMES = 64;

/** Large frames up to this size get a buffer set aside for the next one (see the class comment). */
const SPARE_MAX_BYTES = 4 * 1024 * 1024;

// module constants, read once (not through the import on every frame)
const PREFIX = LENGTH_PREFIX_BYTES;
const JSON_LENGTH = JSON_LENGTH_BYTES;

/**
 * Splits a byte stream into length-prefixed frames and validates each: a body is a JSON length,
 * UTF-8 JSON, then the raw attachments an event frame lists. Garbage inside a correctly sized
 * frame is dropped and reported, the stream continues; a length above `maxFrameBytes` is fatal,
 * since reading past it would mean buffering what we refuse.
 *
 * Bytes come in two ways. `push` takes chunks the socket allocated (its `data` events). With
 * `readBuffer`/`didRead` (a socket's `onread`) the socket reads straight into the decoder's
 * buffers: small frames into a reused scratch buffer, and the body of a frame of
 * {@link LARGE_FRAME_BYTES} or more into a buffer of its declared size, so its attachments are
 * views of the bytes the kernel wrote, never copied. An attachment handed to the sink is never
 * overwritten: it is a view of memory nobody writes again, or (out of the scratch buffer) a copy.
 *
 * Work is linear in the bytes received: a frame that arrives in many chunks is joined once,
 * when complete (a large one is copied chunk by chunk into its body), never re-joined per chunk.
 * When a large body (up to 4 MiB) is complete, the buffer for the next one of that size is
 * allocated at once: a stream of large frames then reuses the memory the previous ones freed,
 * instead of faulting fresh pages in for each (the allocator keeps its heap while something lives
 * on top). It is let go after 64 small frames; until then a connection holds one such buffer more.
 */
export class FrameDecoder {
  /** Bytes received and not yet parsed: `chunks[0]` from `at`, then the other chunks. */
  private chunks: Buffer[] = [];
  private at = 0;
  private buffered = 0;
  private stopped = false;
  /** The body of a large frame being received, and how much of it has arrived. */
  private body: Buffer | undefined;
  private filled = 0;
  /** Allocated for the next large frame when the last one completed; see the class comment. */
  private spare: Buffer | undefined;
  private smallSinceSpare = 0;
  private scratch: Buffer = Buffer.alloc(0);
  private scratchUsed = 0;
  /** What `readBuffer` handed out last: the body's rest, or scratch space. */
  private lent: 'body' | 'scratch' | undefined;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly sink: FrameSink,
    private readonly peer: () => string | undefined,
  ) {}

  /** Feed bytes as they arrive (a buffer nobody writes to again). */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    let rest = chunk;
    if (this.body !== undefined) {
      rest = this.fill(chunk);
      if (this.stopped || rest.length === 0) return;
    }
    if (this.buffered === 0) {
      this.chunks.length = 0;
      this.at = 0;
    }
    this.chunks.push(rest);
    this.buffered += rest.length;
    this.split();
  }

  /**
   * Where the socket should read next: the rest of a large frame's body, or scratch space.
   * Report what was read with {@link didRead}. The scratch buffer is reused from its start
   * whenever no byte of it is pending (frames parsed out of it keep copies, not views), so a
   * stream of frames does not keep allocating memory.
   */
  readBuffer(): Buffer {
    if (this.body !== undefined) {
      this.lent = 'body';
      return this.body.subarray(this.filled);
    }
    if (this.buffered === 0) this.scratchUsed = 0;
    if (this.scratch.length - this.scratchUsed < MIN_READ_BYTES) {
      this.scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
      this.scratchUsed = 0;
    }
    this.lent = 'scratch';
    return this.scratch.subarray(this.scratchUsed);
  }

  /** `bytes` bytes were read into the buffer {@link readBuffer} returned last. */
  didRead(bytes: number): void {
    const lent = this.lent;
    this.lent = undefined;
    if (lent === 'body' && this.body !== undefined) {
      this.filled += bytes;
      if (this.filled === this.body.length) this.completeBody();
    } else if (lent === 'scratch') {
      const chunk = this.scratch.subarray(this.scratchUsed, this.scratchUsed + bytes);
      this.scratchUsed += bytes;
      this.push(chunk);
    }
  }

  /** Cut what is buffered into frames; start reading a large frame into its own body. */
  private split(): void {
    while (!this.stopped && this.buffered >= PREFIX) {
      const head = this.chunks[0]!;
      const size = head.length - this.at >= PREFIX ? head.readUInt32BE(this.at) : this.peekSize();
      if (size > this.maxFrameBytes) {
        this.stop();
        this.sink.error(
          this.failure('oversized', `declared ${size} bytes, limit ${this.maxFrameBytes}`, size),
          true,
        );
        return;
      }
      const total = PREFIX + size;
      if (head.length - this.at >= total) {
        // the whole frame lies in the first chunk: parse it where it is
        const start = this.at + PREFIX;
        this.consume(head, total);
        this.parse(head, start, start + size);
      } else if (this.buffered >= total) {
        // complete, but across chunks: its bytes (only) are joined, once
        const joined = this.gather(total);
        this.parse(joined, PREFIX, total);
      } else {
        if (size >= LARGE_FRAME_BYTES) this.startBody(size);
        return;
      }
    }
  }

  /** Move what is buffered (the start of a large frame) into a body of `size` bytes. */
  private startBody(size: number): void {
    const spare = this.spare;
    this.spare = undefined;
    const body = spare !== undefined && spare.length === size ? spare : Buffer.allocUnsafe(size);
    let filled = 0;
    let skip = this.at + PREFIX; // the length prefix may itself span chunks
    for (const chunk of this.chunks) {
      if (skip >= chunk.length) skip -= chunk.length;
      else {
        filled += chunk.copy(body, filled, skip);
        skip = 0;
      }
    }
    this.chunks.length = 0;
    this.at = 0;
    this.buffered = 0;
    this.body = body;
    this.filled = filled;
  }

  /** Copy the start of `chunk` into the body; returns what follows the body. */
  private fill(chunk: Buffer): Buffer {
    const body = this.body!;
    const n = Math.min(body.length - this.filled, chunk.length);
    chunk.copy(body, this.filled, 0, n);
    this.filled += n;
    if (this.filled === body.length) this.completeBody();
    return n === chunk.length ? EMPTY : chunk.subarray(n);
  }

  private completeBody(): void {
    const body = this.body!;
    this.body = undefined;
    this.filled = 0;
    this.parse(body, 0, body.length);
    // after the frame went to the sink, which usually drops the body: allocated while the
    // body still lived, the two would survive a collection together, and then the next
    if (!this.stopped && this.body === undefined && body.length <= SPARE_MAX_BYTES) {
      this.spare = Buffer.allocUnsafe(body.length);
      this.smallSinceSpare = 0;
    }
  }

  /** Parse the frame body `buf[start, end)`. */
  private parse(buf: Buffer, start: number, end: number): void {
    if (this.spare !== undefined && end - start < LARGE_FRAME_BYTES) {
      if (++this.smallSinceSpare > SPARE_KEPT_FOR_FRAMES) this.spare = undefined;
    }
    const jsonBytes = end - start >= JSON_LENGTH ? buf.readUInt32BE(start) : -1;
    if (jsonBytes <= 0 || jsonBytes > end - start - JSON_LENGTH) {
      this.sink.error(this.failure('garbage', 'no valid JSON length'), false);
      return;
    }
    const jsonEnd = start + JSON_LENGTH + jsonBytes;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start + JSON_LENGTH, jsonEnd));
    } catch (err) {
      this.sink.error(this.failure('garbage', 'body is not JSON', undefined, err), false);
      return;
    }
    const frame = validateFrame(value);
    if (typeof frame === 'string') {
      this.sink.error(this.failure('invalid-frame', frame), false);
      return;
    }
    const lengths = frame.k === 'ev' ? frame.b : undefined;
    let attached = 0;
    if (lengths !== undefined) for (const n of lengths) attached += n;
    if (attached !== end - jsonEnd) {
      this.sink.error(this.failure('invalid-frame', 'attachments do not match their lengths'), false);
      return;
    }
    if (frame.k !== 'ev' || lengths === undefined || lengths.length === 0) {
      this.sink.frame(frame);
      return;
    }
    // views of socket chunks, joined frames and large bodies (never written again); copies out
    // of the scratch space, which is reused
    const copy = buf.buffer === this.scratch.buffer;
    const bin: Buffer[] = [];
    for (let at = jsonEnd, i = 0; i < lengths.length; at += lengths[i++]!) {
      const n = lengths[i]!;
      if (copy) {
        const out = Buffer.allocUnsafe(n);
        buf.copy(out, 0, at, at + n);
        bin.push(out);
      } else bin.push(buf.subarray(at, at + n));
    }
    this.sink.frame({ ...frame, bin });
  }

  /** `n` bytes of `head` (the first chunk) were taken. */
  private consume(head: Buffer, n: number): void {
    this.buffered -= n;
    this.at += n;
    if (this.at === head.length) {
      this.chunks.shift();
      this.at = 0;
    }
  }

  /** The length prefix when it is split across chunks. */
  private peekSize(): number {
    let size = 0;
    let got = 0;
    for (let i = 0, from = this.at; got < PREFIX; i++, from = 0) {
      const chunk = this.chunks[i]!;
      for (let j = from; j < chunk.length && got < PREFIX; j++, got++) size = size * 256 + chunk[j]!;
    }
    return size;
  }

  /** Take the next `n` buffered bytes (spread over chunks) as one new buffer. */
  private gather(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const head = this.chunks[0]!;
      const take = Math.min(n - got, head.length - this.at);
      head.copy(out, got, this.at, this.at + take);
      got += take;
      this.consume(head, take);
    }
    return out;
  }

  private stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.at = 0;
    this.buffered = 0;
    this.body = undefined;
    this.spare = undefined;
  }

  private failure(kind: FrameErrorKind, detail: string, size?: number, cause?: unknown): FrameError {
    const peer = this.peer();
    return new FrameError(
      {
        kind,
        direction: 'in',
        ...(peer === undefined ? {} : { peer }),
        ...(size === undefined ? {} : { size }),
      },
      detail,
      cause === undefined ? undefined : { cause },
    );
  }
}

const EMPTY = Buffer.alloc(0);
