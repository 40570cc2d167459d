import { FrameError } from '../errors/FrameError.js';
import { FrameDecoder, type FrameSink } from '../wire/FrameDecoder.js';
import type { Frame } from '../wire/frames.js';
import { MESSAGE_FIRST, MESSAGE_LAST, MESSAGE_MIDDLE, MESSAGE_WHOLE } from './NatsWire.js';

/**
 * The receiving side of an endpoint on NATS: each message's frames, cut out and validated by the
 * same {@link FrameDecoder} as a Unix socket's bytes (so the same checks, limits and errors). A
 * message of whole frames is decoded on its own; the parts of a large frame are joined per
 * sender (one sender's messages on one subject arrive in order). A part out of place (a first
 * part while one is unfinished, a later part without its first) is dropped and reported, and the
 * next message starts afresh: a sender cut off mid-frame never garbles what follows.
 */
export class NatsInbound {
  /** The decoder of each sender's unfinished large frame. */
  private readonly unfinished = new Map<string, FrameDecoder>();

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (from: string, frame: Frame) => void,
    private readonly onError: (error: FrameError) => void,
  ) {}

  /** A message from endpoint `from`. */
  push(from: string, data: Uint8Array): void {
    const kind = data.byteLength === 0 ? -1 : data[0];
    const body = Buffer.from(data.buffer, data.byteOffset + 1, Math.max(0, data.byteLength - 1));
    switch (kind) {
      case MESSAGE_WHOLE:
      case MESSAGE_FIRST: {
        if (this.unfinished.delete(from)) this.garbage(from, 'a large frame was cut off');
        const decoder = this.decoder(from);
        if (kind === MESSAGE_FIRST) this.unfinished.set(from, decoder);
        decoder.push(body);
        return;
      }
      case MESSAGE_MIDDLE:
      case MESSAGE_LAST: {
        const decoder = this.unfinished.get(from);
        if (decoder === undefined) {
          this.garbage(from, 'a part of a large frame without its first part');
          return;
        }
        if (kind === MESSAGE_LAST) this.unfinished.delete(from);
        decoder.push(body);
        return;
      }
      default:
        this.garbage(from, 'not a bus message');
    }
  }

  /** Forget a sender's unfinished frame (its connection ended). */
  forget(from: string): void {
    this.unfinished.delete(from);
  }

  /** Forget every unfinished frame (the NATS connection dropped). */
  clear(): void {
    this.unfinished.clear();
  }

  private decoder(from: string): FrameDecoder {
    const sink: FrameSink = {
      frame: (frame) => this.onFrame(from, frame),
      // a fatal error (oversized) stops this decoder only: the next message starts a new one
      error: (error) => this.onError(error),
    };
    return new FrameDecoder(this.maxFrameBytes, sink, () => from);
  }

  private garbage(from: string, detail: string): void {
    this.onError(new FrameError({ kind: 'garbage', direction: 'in', peer: from }, detail));
  }
}
