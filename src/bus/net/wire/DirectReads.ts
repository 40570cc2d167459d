import type { OnReadOpts } from 'node:net';
import type { FrameDecoder } from './FrameDecoder.js';

/** Room for what a socket reads before its decoder is attached (nothing, in practice: see below). */
const EARLY_READ_BYTES = 16 * 1024;

/**
 * A socket's `onread` option that reads into a {@link FrameDecoder}'s own buffers
 * (`readBuffer`/`didRead`), so the body of a large frame is read in place, never copied. A
 * socket takes `onread` when it is created, before its decoder exists: {@link attach} the
 * decoder once it does. Bytes cannot arrive before the connection opens, where the decoder is
 * attached; any that did would be kept and fed to it on `attach`.
 */
export class DirectReads {
  private decoder: FrameDecoder | undefined;
  private early: Buffer[] = [];
  private lentByDecoder = false;

  /** Pass as `onread` to `net.createConnection`. */
  readonly onread: OnReadOpts = {
    buffer: (): Uint8Array => {
      this.lentByDecoder = this.decoder !== undefined;
      return this.decoder?.readBuffer() ?? Buffer.allocUnsafe(EARLY_READ_BYTES);
    },
    callback: (bytes: number, buf: Uint8Array): boolean => {
      if (this.lentByDecoder) this.decoder!.didRead(bytes);
      else this.early.push(Buffer.from(buf.buffer, buf.byteOffset, bytes));
      if (this.early.length > 0 && this.decoder !== undefined) this.flushEarly(this.decoder);
      return true;
    },
  };

  /** Deliver the socket's bytes to `decoder` from now on. */
  attach(decoder: FrameDecoder): void {
    this.decoder = decoder;
    this.flushEarly(decoder);
  }

  private flushEarly(decoder: FrameDecoder): void {
    const early = this.early;
    this.early = [];
    for (const chunk of early) decoder.push(chunk);
  }
}
