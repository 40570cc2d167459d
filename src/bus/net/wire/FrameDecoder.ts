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
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stopped = false;
  /** The body of a large frame being received, and how much of it has arrived. */
  private body: Buffer | undefined;
  private filled = 0;
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
    let rest = chunk;
    if (this.body !== undefined && !this.stopped) rest = this.fill(chunk);
    if (this.stopped || rest.length === 0) return;
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

  /** Split what is buffered into frames; start reading a large frame into its own body. */
  private split(): void {
    while (!this.stopped && this.buffered >= LENGTH_PREFIX_BYTES) {
      const size = this.peekSize();
      if (size > this.maxFrameBytes) {
        this.stop();
        this.sink.error(
          this.failure('oversized', `declared ${size} bytes, limit ${this.maxFrameBytes}`, size),
          true,
        );
        return;
      }
      if (this.buffered >= LENGTH_PREFIX_BYTES + size) {
        this.parse(this.take(LENGTH_PREFIX_BYTES + size).subarray(LENGTH_PREFIX_BYTES));
        continue;
      }
      if (size >= LARGE_FRAME_BYTES) {
        // everything buffered belongs to this frame: move it into the body, read the rest in place
        const head = this.take(this.buffered);
        this.body = Buffer.allocUnsafe(size);
        this.filled = head.copy(this.body, 0, LENGTH_PREFIX_BYTES);
      }
      return;
    }
  }

  /** Copy the start of `chunk` into the body; returns what follows the body. */
  private fill(chunk: Buffer): Buffer {
    const body = this.body!;
    const n = Math.min(body.length - this.filled, chunk.length);
    chunk.copy(body, this.filled, 0, n);
    this.filled += n;
    if (this.filled === body.length) this.completeBody();
    return chunk.subarray(n);
  }

  private completeBody(): void {
    const body = this.body!;
    this.body = undefined;
    this.filled = 0;
    this.parse(body);
  }

  private parse(body: Buffer): void {
    const jsonBytes = body.length >= JSON_LENGTH_BYTES ? body.readUInt32BE(0) : -1;
    if (jsonBytes <= 0 || jsonBytes > body.length - JSON_LENGTH_BYTES) {
      this.sink.error(this.failure('garbage', 'no valid JSON length'), false);
      return;
    }
    const jsonEnd = JSON_LENGTH_BYTES + jsonBytes;
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8', JSON_LENGTH_BYTES, jsonEnd));
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
    if (attached !== body.length - jsonEnd) {
      this.sink.error(this.failure('invalid-frame', 'attachments do not match their lengths'), false);
      return;
    }
    if (frame.k !== 'ev' || lengths === undefined || lengths.length === 0) {
      this.sink.frame(frame);
      return;
    }
    // views of socket chunks, joined frames and large bodies (never written again); copies out
    // of the scratch space, which is reused
    const copy = body.buffer === this.scratch.buffer;
    const bin: Buffer[] = [];
    for (let at = jsonEnd, i = 0; i < lengths.length; at += lengths[i++]!) {
      const view = body.subarray(at, at + lengths[i]!);
      bin.push(copy ? Buffer.from(view) : view);
    }
    this.sink.frame({ ...frame, bin });
  }

  private peekSize(): number {
    const head = this.chunks[0]!;
    if (head.length >= LENGTH_PREFIX_BYTES) return head.readUInt32BE(0);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.readUInt32BE(0);
  }

  private take(n: number): Buffer {
    const head = this.chunks[0]!;
    let out: Buffer;
    if (head.length >= n) {
      out = head.subarray(0, n);
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
    } else {
      const joined = Buffer.concat(this.chunks, this.buffered);
      out = joined.subarray(0, n);
      this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }

  private stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.buffered = 0;
    this.body = undefined;
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
