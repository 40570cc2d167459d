import type { CaptureFormat, CaptureMode, CommandOutput } from './exescript.js';

/**
 * One captured output stream (stdout or stderr) of a command, with yagna's exe-unit semantics:
 * - no capture mode → discarded (`null` in results, no events);
 * - `atEnd` → kept for the results: everything, the first N bytes (`head`), the last N
 *   (`tail`), or the first ⌈N/2⌉ and the last ⌊N/2⌋ (`headTail`; the whole output when it is
 *   not longer than N); no events;
 * - `stream` → every chunk is emitted as an event (up to `limit` bytes in total), and the same
 *   bytes are also kept for the results;
 * - `'all'` (non-`run` commands) → everything kept and streamed.
 * Empty output is `null`. Format `string` decodes UTF-8 (invalid sequences fall back to
 * Latin-1, as yagna does), `binary` gives the bytes as `number[]`.
 */
export class CapturedOutput {
  readonly stream: boolean;
  private readonly binary: boolean;
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: Uint8Array[] = [];
  private headSize = 0;
  private tail: Uint8Array = new Uint8Array(0);

  constructor(mode: CaptureMode | 'all' | undefined) {
    if (mode === undefined) {
      this.stream = false;
      this.binary = false;
      this.headLimit = 0;
      this.tailLimit = 0;
    } else if (mode === 'all') {
      this.stream = true;
      this.binary = false;
      this.headLimit = Infinity;
      this.tailLimit = 0;
    } else if ('stream' in mode) {
      this.stream = true;
      this.binary = isBinary(mode.stream?.format);
      this.headLimit = mode.stream?.limit ?? Infinity;
      this.tailLimit = 0;
    } else {
      const part = mode.atEnd?.part;
      this.stream = false;
      this.binary = isBinary(mode.atEnd?.format);
      if (part === undefined) {
        this.headLimit = Infinity;
        this.tailLimit = 0;
      } else if ('head' in part) {
        this.headLimit = part.head;
        this.tailLimit = 0;
      } else if ('tail' in part) {
        this.headLimit = 0;
        this.tailLimit = part.tail;
      } else {
        this.headLimit = Math.ceil(part.headTail / 2);
        this.tailLimit = part.headTail - this.headLimit;
      }
    }
  }

  /** Records a chunk; returns what to emit as a RuntimeEvent (only for streamed captures). */
  write(chunk: Uint8Array): CommandOutput | undefined {
    if (chunk.length === 0) return undefined;
    const room = this.headLimit - this.headSize;
    const toHead = room > 0 ? chunk.subarray(0, Math.min(room, chunk.length)) : undefined;
    if (toHead !== undefined && toHead.length > 0) {
      this.head.push(toHead.slice());
      this.headSize += toHead.length;
    }
    if (this.tailLimit > 0) {
      const rest = toHead === undefined ? chunk : chunk.subarray(toHead.length);
      if (rest.length > 0) this.tail = lastBytes(concat([this.tail, rest]), this.tailLimit);
    }
    if (!this.stream || toHead === undefined || toHead.length === 0) return undefined;
    return this.format(toHead);
  }

  /** The captured output for the results, or `null`. */
  output(): CommandOutput | null {
    const bytes = concat([...this.head, this.tail]);
    return bytes.length === 0 ? null : this.format(bytes);
  }

  private format(bytes: Uint8Array): CommandOutput {
    return this.binary ? Array.from(bytes) : decodeLossy(bytes);
  }
}

function isBinary(format: CaptureFormat | undefined): boolean {
  return format === 'binary' || format === 'bin';
}

function lastBytes(bytes: Uint8Array, n: number): Uint8Array {
  return bytes.length <= n ? bytes : bytes.slice(bytes.length - n);
}

/** Concatenates byte chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 when valid, else every byte as one Latin-1 character (yagna's fallback). */
export function decodeLossy(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // not UTF-8: the documented Latin-1 fallback, not a failure
    let out = '';
    for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return out;
  }
}
