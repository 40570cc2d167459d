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

/**
 * Nesting from which the walk checks each object against the ones above it: a payload deeper
 * than this is either unusual or cyclic, and a cycle must show up again further down.
 */
const CYCLE_CHECK_DEPTH = 64;

/** Returned by {@link substitute} when the payload is left to the general path. */
const FALL_BACK: unique symbol = Symbol('fall back');

/** A byte array's place in the JSON: its index among the frame's attachments. */
function marker(bytes: Uint8Array, attachments: Uint8Array[]): { $b: number } {
  return { $b: attachments.push(bytes) - 1 };
}

/** What one walk of a payload carries along. */
interface Walk {
  readonly attachments: Uint8Array[];
  /** The objects being walked, from {@link CYCLE_CHECK_DEPTH} down. */
  readonly deepPath: object[];
}

/**
 * `value` as `JSON.stringify` will see it, with each byte array replaced by a marker (and pushed
 * to the attachments); only the objects on the way to a byte array (or to a `toJSON` result) are
 * copied, so a payload without them is itself. A byte array is replaced where it is found,
 * before its own `toJSON` (Buffer's) could run; another object's `toJSON` runs here, once, and
 * its result is walked in turn. A cycle throws `TypeError`, as `JSON.stringify` does.
 * {@link FALL_BACK} when a `toJSON` returned an object with a `toJSON` of its own.
 */
function substitute(value: unknown, key: string, walk: Walk, depth: number): unknown {
  if (value instanceof Uint8Array) return marker(value, walk.attachments);
  if (typeof value !== 'object' || value === null) return value;
  let walked: object = value;
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const result: unknown = toJSON.call(value, key);
    if (result instanceof Uint8Array) return marker(result, walk.attachments);
    if (typeof result !== 'object' || result === null) return result;
    if (typeof (result as { toJSON?: unknown }).toJSON === 'function') return FALL_BACK;
    walked = result;
  }
  if (depth < CYCLE_CHECK_DEPTH) {
    return Array.isArray(walked)
      ? substituteItems(walked as unknown[], walk, depth + 1)
      : substituteFields(walked as Record<string, unknown>, walk, depth + 1);
  }
  if (walk.deepPath.includes(walked)) throw new TypeError('Converting circular structure to JSON');
  walk.deepPath.push(walked);
  try {
    return Array.isArray(walked)
      ? substituteItems(walked as unknown[], walk, depth + 1)
      : substituteFields(walked as Record<string, unknown>, walk, depth + 1);
  } finally {
    walk.deepPath.pop();
  }
}

function substituteItems(items: unknown[], walk: Walk, depth: number): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (typeof item !== 'object' || item === null) continue;
    const r = substitute(item, String(i), walk, depth);
    if (r === FALL_BACK) return FALL_BACK;
    if (r !== item) (copy ??= items.slice())[i] = r;
  }
  return copy ?? items;
}

function substituteFields(fields: Record<string, unknown>, walk: Walk, depth: number): unknown {
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(fields)) {
    const field: unknown = fields[k];
    if (typeof field !== 'object' || field === null) continue;
    const r = substitute(field, k, walk, depth);
    if (r === FALL_BACK) return FALL_BACK;
    if (r !== field) (copy ??= { ...fields })[k] = r;
  }
  return copy ?? fields;
}

/**
 * The general path, for what {@link substitute} leaves: `JSON.stringify` with a replacer that
 * swaps byte arrays for markers, one level early (in their parent) so that Buffer#toJSON never
 * runs. Slower (a call per value), but exactly `JSON.stringify`'s behaviour, cycles included.
 */
function stringifyWithReplacer(payload: unknown, attachments: Uint8Array[]): string | undefined {
  return JSON.stringify(payload, (_key: string, value: unknown): unknown => {
    if (value instanceof Uint8Array) return marker(value, attachments);
    if (typeof value !== 'object' || value === null) return value;
    let copy: Record<string, unknown> | unknown[] | undefined;
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      if (v instanceof Uint8Array) {
        copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
        (copy as Record<string, unknown>)[k] = marker(v, attachments);
      }
    }
    return copy ?? value;
  });
}

/** The JSON of a payload (undefined for an undefined one), its byte arrays moved to `attachments`. */
function payloadJson(payload: unknown, attachments: Uint8Array[]): string | undefined {
  const substituted = substitute(payload, '', { attachments, deepPath: [] }, 0);
  if (substituted !== FALL_BACK) return JSON.stringify(substituted);
  attachments.length = 0;
  return stringifyWithReplacer(payload, attachments);
}

/** The start of an event frame's JSON per type tag, up to its payload (a few hundred tags at most). */
const eventHeads = new Map<string, string>();

function eventHead(type: string): string {
  let head = eventHeads.get(type);
  if (head === undefined) {
    head = `{"k":"ev","t":${JSON.stringify(type)},"p":`;
    if (eventHeads.size < 1024) eventHeads.set(type, head);
  }
  return head;
}

/**
 * Serialise an event frame. Byte arrays (`Uint8Array`, `Buffer`) anywhere in the payload travel
 * as raw attachments after the JSON, referenced from it as `{"$b": index}` and listed in the
 * frame's `b` (their lengths); everything else is JSON, as `JSON.stringify` writes it (`toJSON`
 * included). Attachments of {@link REFERENCED_ATTACHMENT_BYTES} or more are not copied: the
 * frame's parts are the caller's byte arrays, which must not change until the frame is written.
 */
export function encodeEventFrame(
  type: string,
  payload: unknown,
  ids: EventIds,
  maxFrameBytes: number,
): EncodedFrame {
  const attachments: Uint8Array[] = [];
  let json = eventHead(type) + (payloadJson(payload, attachments) ?? 'null');
  if (ids.req !== undefined) json += `,"req":${JSON.stringify(ids.req)}`;
  if (ids.re !== undefined) json += `,"re":${JSON.stringify(ids.re)}`;
  if (attachments.length > 0) {
    json += `,"b":[${attachments[0]!.byteLength}`;
    for (let i = 1; i < attachments.length; i++) json += `,${attachments[i]!.byteLength}`;
    json += ']';
  }
  return assemble(`${json}}`, attachments, maxFrameBytes, type);
}
