/**
 * The messages of yagna's GSB websocket (`gsb-api-messages.yaml`), flexbuffers-encoded: yagna
 * sends requests `{ id, component, payload }`, the requestor answers `{ id, payload }` or
 * `{ id, error: { Variant: value } }`. Browser-safe (the `flatbuffers` package's flexbuffers).
 *
 * Numbers: yagna's `u64` fields (`offset`, `size`, `fileSize`) are flexbuffers unsigned ints, read
 * as JS numbers. Non-negative integers are written as unsigned ints, as serde writes a `u64`. The
 * package's reader is not reliable on maps whose values are 64 bits wide (it caches a length as a
 * BigInt, then mixes it with numbers), hence {@link MAX_GFTP_BYTES}: offsets stay below 2^32.
 *
 * @module
 */
import { builder, toReference } from 'flatbuffers/js/flexbuffers.js';
import { GsbServiceError } from './errors/GsbServiceError.js';

/** A value of a GSB message: what flexbuffers carries and serde's types map to. */
export type GsbValue =
  null | boolean | number | string | Uint8Array | readonly GsbValue[] | { readonly [key: string]: GsbValue };

/** A map of a GSB message (a struct, in yagna's Rust). */
export type GsbMap = { readonly [key: string]: GsbValue };

/** A request yagna relays to a bound service. */
export interface GsbRequest {
  /** Matches the response to the request. */
  readonly id: string;
  /** The message type: the component the service was bound with (`GetChunk`, `UploadChunk`…). */
  readonly component: string;
  /** The message (an empty map for `GetMetadata`). */
  readonly payload: GsbMap;
}

/** The answer to a {@link GsbRequest}: its `payload`, or an error variant (`{ ReadError: '…' }`). */
export type GsbResponse =
  { readonly id: string; readonly payload: GsbValue } | { readonly id: string; readonly error: GsbMap };

type Builder = ReturnType<typeof builder>;

/**
 * The largest file the GSB storage publishes or receives: 4 GiB, so that every offset fits in 32
 * bits (a 64-bit wide value can break the `flatbuffers` package's reader).
 */
export const MAX_GFTP_BYTES = 2 ** 32;

/** Encodes a response for yagna. */
export function encodeGsbResponse(response: GsbResponse): Uint8Array {
  const map: GsbMap =
    'error' in response
      ? { id: response.id, error: response.error }
      : { id: response.id, payload: response.payload };
  return encodeGsbValue(map);
}

/** Encodes any value (a map for every message) as flexbuffers. */
export function encodeGsbValue(value: GsbValue): Uint8Array {
  const b = builder();
  add(b, value);
  return b.finish();
}

/**
 * Decodes a request from yagna.
 * @throws {GsbServiceError} (`message`) when it is not a flexbuffers map with a string `id` and
 *   `component` and a map (or no) `payload`
 */
export function decodeGsbRequest(data: ArrayBuffer | Uint8Array): GsbRequest {
  const root = decodeGsbValue(data);
  if (!isMap(root)) throw malformed('not a map');
  const { id, component, payload } = root;
  if (typeof id !== 'string') throw malformed('no string `id`');
  if (typeof component !== 'string') throw malformed('no string `component`');
  if (payload !== undefined && payload !== null && !isMap(payload)) throw malformed('`payload` is not a map');
  return { id, component, payload: payload ?? {} };
}

/**
 * Decodes any flexbuffers value (64-bit integers become numbers; blobs are views of `data`).
 * @throws {GsbServiceError} (`message`) when it is not flexbuffers
 */
export function decodeGsbValue(data: ArrayBuffer | Uint8Array): GsbValue {
  const buffer =
    data instanceof Uint8Array
      ? data.byteOffset === 0 &&
        data.byteLength === data.buffer.byteLength &&
        data.buffer instanceof ArrayBuffer
        ? data.buffer
        : data.slice().buffer
      : data;
  let raw: unknown;
  try {
    raw = toReference(buffer).toObject();
  } catch (cause: unknown) {
    // the flexbuffers reader throws strings
    throw malformed(`not flexbuffers (${String(cause)})`);
  }
  return normalize(raw);
}

/** Is `value` a map (not bytes, not a list)? */
export function isMap(value: GsbValue | undefined): value is GsbMap {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value)
  );
}

function normalize(raw: unknown): GsbValue {
  if (raw === null || typeof raw === 'boolean' || typeof raw === 'string' || typeof raw === 'number')
    return raw;
  if (typeof raw === 'bigint') {
    if (raw > BigInt(Number.MAX_SAFE_INTEGER) || raw < BigInt(Number.MIN_SAFE_INTEGER))
      throw malformed(`integer ${raw} beyond 2^53`);
    return Number(raw);
  }
  if (raw instanceof Uint8Array) return raw;
  if (Array.isArray(raw)) return raw.map((item: unknown) => normalize(item));
  if (typeof raw === 'object') {
    const out: Record<string, GsbValue> = {};
    for (const [key, value] of Object.entries(raw)) out[key] = normalize(value);
    return out;
  }
  throw malformed(`unexpected value of type ${typeof raw}`);
}

function add(b: Builder, value: GsbValue): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    b.add(value);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) b.addFloat(value);
    else if (value >= 0) b.addUInt(value);
    else b.addInt(value);
  } else if (value instanceof Uint8Array) {
    // the builder writes the whole underlying buffer of a view: give it one of its own
    const own =
      value.byteOffset === 0 &&
      value.byteLength === value.buffer.byteLength &&
      value.buffer instanceof ArrayBuffer
        ? value
        : value.slice();
    b.add(own);
  } else if (Array.isArray(value)) {
    b.startVector();
    for (const item of value as readonly GsbValue[]) add(b, item);
    b.end();
  } else {
    b.startMap();
    for (const key of Object.keys(value).sort()) {
      const item = (value as GsbMap)[key];
      if (item === undefined) continue;
      b.addKey(key);
      add(b, item);
    }
    b.end();
  }
}

function malformed(why: string): GsbServiceError {
  return new GsbServiceError({ operation: 'message' }, `not a GSB message: ${why}`);
}
