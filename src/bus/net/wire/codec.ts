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

function assemble(
  json: string,
  attachments: readonly Uint8Array[],
  maxFrameBytes: number,
  eventType?: string,
): Buffer {
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  let size = JSON_LENGTH_BYTES + jsonBytes;
  for (const a of attachments) size += a.byteLength;
  if (size > maxFrameBytes) {
    throw new FrameError(
      { kind: 'oversized', direction: 'out', size, ...(eventType === undefined ? {} : { eventType }) },
      `${size} bytes exceed maxFrameBytes ${maxFrameBytes}`,
    );
  }
  const buf = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + size);
  buf.writeUInt32BE(size, 0);
  buf.writeUInt32BE(jsonBytes, LENGTH_PREFIX_BYTES);
  let at = LENGTH_PREFIX_BYTES + JSON_LENGTH_BYTES;
  at += buf.write(json, at, 'utf8');
  for (const a of attachments) {
    buf.set(a, at);
    at += a.byteLength;
  }
  return buf;
}

/**
 * Serialise a control frame: a 4-byte big-endian body length, then the body: a 4-byte JSON
 * length and the UTF-8 JSON. Throws `FrameError` (`oversized`, direction `out`) above
 * `maxFrameBytes`, so that a peer is never sent a frame it would refuse.
 */
export function encodeFrame(frame: Frame, maxFrameBytes: number): Buffer {
  return assemble(JSON.stringify(frame), [], maxFrameBytes, frame.k === 'ev' ? frame.t : undefined);
}

/**
 * Serialise an event frame. Byte arrays (`Uint8Array`, `Buffer`) anywhere in the payload travel
 * as raw attachments after the JSON, referenced from it as `{"$b": index}` and listed in the
 * frame's `b` (their lengths); everything else is JSON.
 */
export function encodeEventFrame(
  type: string,
  payload: unknown,
  ids: EventIds,
  maxFrameBytes: number,
): Buffer {
  const attachments: Uint8Array[] = [];
  const mark = (bytes: Uint8Array): { $b: number } => ({ $b: attachments.push(bytes) - 1 });
  // Replace byte arrays one level early, in their parent, so that Buffer#toJSON never runs.
  const replacer = (_key: string, value: unknown): unknown => {
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
  };
  const p = JSON.stringify(payload, replacer) as string | undefined;
  let json = `{"k":"ev","t":${JSON.stringify(type)},"p":${p ?? 'null'}`;
  if (ids.req !== undefined) json += `,"req":${JSON.stringify(ids.req)}`;
  if (ids.re !== undefined) json += `,"re":${JSON.stringify(ids.re)}`;
  if (attachments.length > 0) json += `,"b":[${attachments.map((a) => a.byteLength).join(',')}]`;
  return assemble(`${json}}`, attachments, maxFrameBytes, type);
}
