import { FrameError } from '../errors/FrameError.js';
import type { Frame } from './frames.js';

/** Bytes of the big-endian unsigned length that precedes every frame body. */
export const LENGTH_PREFIX_BYTES = 4;

/** Bytes of the big-endian length of the JSON part, at the start of every body. */
export const JSON_LENGTH_BYTES = 4;

/** Ids carried by an event frame: a request's own id, or the id of the request it answers. */
export interface EventIds {
  readonly req?: string;
  readonly re?: string;
}

/**
 * Attachments at least this large are written as parts of their own, the caller's bytes
 * themselves; smaller ones are copied into the frame's head (one buffer, one part).
 */
export const REFERENCED_ATTACHMENT_BYTES = 16 * 1024;

/**
 * A frame ready to be written: its parts in wire order and their total length. The first part
 * is the head (length prefix, JSON length, JSON, and the small attachments before any large
 * one); every large attachment follows as a part of its own, not copied. A broadcast is encoded
 * once and the same parts are written to every peer (header and body in one `writev`).
 */
export interface EncodedFrame {
  readonly parts: readonly Uint8Array[];
  /** The frame's length on the wire: the length prefix plus the body. */
  readonly bytes: number;
}

/** A single-buffer frame (a control frame from {@link encodeFrame}) as an {@link EncodedFrame}. */
export function wholeFrame(buf: Buffer): EncodedFrame {
  return { parts: [buf], bytes: buf.length };
}

function oversized(size: number, maxFrameBytes: number, eventType: string | undefined): FrameError {
  return new FrameError(
    { kind: 'oversized', direction: 'out', size, ...(eventType === undefined ? {} : { eventType }) },
    `${size} bytes exceed maxFrameBytes ${maxFrameBytes}`,
  );
}

function assemble(
  json: string,
  attachments: readonly Uint8Array[],
  maxFrameBytes: number,
  eventType?: string,
): EncodedFrame {
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  let size = JSON_LENGTH_BYTES + jsonBytes;
  for (const a of attachments) size += a.byteLength;
  if (size > maxFrameBytes) throw oversized(size, maxFrameBytes, eventType);
  let copied = 0;
  let headBytes = LENGTH_PREFIX_BYTES + JSON_LENGTH_BYTES + jsonBytes;
  while (copied < attachments.length && attachments[copied]!.byteLength < REFERENCED_ATTACHMENT_BYTES) {
    headBytes += attachments[copied++]!.byteLength;
  }
  const head = Buffer.allocUnsafe(headBytes);
  head.writeUInt32BE(size, 0);
  head.writeUInt32BE(jsonBytes, LENGTH_PREFIX_BYTES);
  let at = LENGTH_PREFIX_BYTES + JSON_LENGTH_BYTES;
  at += head.write(json, at, 'utf8');
  const parts: Uint8Array[] = [head];
  for (let i = 0; i < attachments.length; i++) {
    const a = attachments[i]!;
    if (i < copied) {
      head.set(a, at);
      at += a.byteLength;
    } else if (a.byteLength > 0) {
      parts.push(a);
    }
  }
  return { parts, bytes: LENGTH_PREFIX_BYTES + size };
}

/**
 * Serialise a control frame: a 4-byte big-endian body length, then the body: a 4-byte JSON
 * length and the UTF-8 JSON. Throws `FrameError` (`oversized`, direction `out`) above
 * `maxFrameBytes`, so that a peer is never sent a frame it would refuse.
 */
export function encodeFrame(frame: Frame, maxFrameBytes: number): Buffer {
  const json = JSON.stringify(frame);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const size = JSON_LENGTH_BYTES + jsonBytes;
  if (size > maxFrameBytes) throw oversized(size, maxFrameBytes, frame.k === 'ev' ? frame.t : undefined);
  const buf = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + size);
  buf.writeUInt32BE(size, 0);
  buf.writeUInt32BE(jsonBytes, LENGTH_PREFIX_BYTES);
  buf.write(json, LENGTH_PREFIX_BYTES + JSON_LENGTH_BYTES, 'utf8');
  return buf;
}

/** The attachments of the event frame being serialised (module state: no closure per frame). */
let collecting: Uint8Array[] = [];

function mark(bytes: Uint8Array): { $b: number } {
  return { $b: collecting.push(bytes) - 1 };
}

/** `JSON.stringify` replacer: byte arrays become `{"$b": index}`, collected as attachments. */
function replaceBytes(_key: string, value: unknown): unknown {
  // Replaced one level early, in their parent, so that Buffer#toJSON never runs.
  if (value instanceof Uint8Array) return mark(value);
  if (typeof value !== 'object' || value === null) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v instanceof Uint8Array) {
      copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
      (copy as Record<string, unknown>)[k] = mark(v);
    }
  }
  return copy ?? value;
}

/**
 * Serialise an event frame. Byte arrays (`Uint8Array`, `Buffer`) anywhere in the payload travel
 * as raw attachments after the JSON, referenced from it as `{"$b": index}` and listed in the
 * frame's `b` (their lengths); everything else is JSON. Attachments of
 * {@link REFERENCED_ATTACHMENT_BYTES} or more are not copied: the frame's parts are the
 * caller's byte arrays, which must not change until the frame is written.
 */
export function encodeEventFrame(
  type: string,
  payload: unknown,
  ids: EventIds,
  maxFrameBytes: number,
): EncodedFrame {
  const outer = collecting;
  const attachments: Uint8Array[] = (collecting = []);
  let p: string | undefined; // undefined for an undefined payload
  try {
    p = JSON.stringify(payload, replaceBytes);
  } finally {
    collecting = outer; // a toJSON may encode another frame meanwhile
  }
  let json = `{"k":"ev","t":${JSON.stringify(type)},"p":${p ?? 'null'}`;
  if (ids.req !== undefined) json += `,"req":${JSON.stringify(ids.req)}`;
  if (ids.re !== undefined) json += `,"re":${JSON.stringify(ids.re)}`;
  if (attachments.length > 0) {
    json += `,"b":[${attachments[0]!.byteLength}`;
    for (let i = 1; i < attachments.length; i++) json += `,${attachments[i]!.byteLength}`;
    json += ']';
  }
  return assemble(`${json}}`, attachments, maxFrameBytes, type);
}
