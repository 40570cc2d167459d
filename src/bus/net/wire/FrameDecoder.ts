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

/**
 * Splits a byte stream into length-prefixed frames and validates each: a body is a JSON length,
 * UTF-8 JSON, then the raw attachments an event frame lists. Garbage inside a correctly sized
 * frame is dropped and reported, the stream continues; a length above `maxFrameBytes` is fatal,
 * since reading past it would mean buffering what we refuse.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stopped = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly sink: FrameSink,
    private readonly peer: () => string | undefined,
  ) {}

  /** Feed bytes as they arrive. */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
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
      if (this.buffered < LENGTH_PREFIX_BYTES + size) return;
      const body = this.take(LENGTH_PREFIX_BYTES + size).subarray(LENGTH_PREFIX_BYTES);
      this.parse(body);
    }
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
    const lengths = frame.k === 'ev' ? (frame.b ?? []) : [];
    if (lengths.reduce((a, b) => a + b, 0) !== body.length - jsonEnd) {
      this.sink.error(this.failure('invalid-frame', 'attachments do not match their lengths'), false);
      return;
    }
    if (frame.k !== 'ev' || lengths.length === 0) {
      this.sink.frame(frame);
      return;
    }
    // views, not copies: socket chunks and joined frames are never reused by Node or by us
    let at = jsonEnd;
    const bin = lengths.map((n) => body.subarray(at, (at += n)));
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
