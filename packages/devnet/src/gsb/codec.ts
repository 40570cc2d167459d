/**
 * The flexbuffers messages of yagna's GSB websocket, from yagna's side: requests
 * `{ id, component, payload }` out, responses `{ id, payload }` or `{ id, error: { Variant: … } }`
 * in (gsb-api-messages.yaml). Written with the `flatbuffers` package, as serde's flexbuffers
 * writes them: a `u64` is an unsigned int, bytes (`serde_bytes`) a blob, `None` a null.
 */
import { builder, toReference } from 'flatbuffers/js/flexbuffers.js';

/** A value of a GSB message. */
export type GsbValue =
  null | boolean | number | string | Uint8Array | readonly GsbValue[] | { readonly [key: string]: GsbValue };

/** A map (a Rust struct). */
export type GsbMap = { readonly [key: string]: GsbValue };

type Builder = ReturnType<typeof builder>;

/** Is `value` a map (not bytes, not a list)? */
export function isGsbMap(value: GsbValue | undefined): value is GsbMap {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value)
  );
}

/** Encodes a request as yagna relays it to a services' websocket. */
export function encodeGsbRequest(id: string, component: string, payload: GsbMap): Uint8Array {
  const b = builder();
  add(b, { id, component, payload });
  return b.finish();
}

/**
 * Decodes a frame from a services' websocket.
 * @throws {Error} with yagna's wording when it is not flexbuffers
 */
export function decodeGsbFrame(data: Uint8Array): GsbValue {
  const exact =
    data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer
      ? data.buffer
      : data.slice().buffer;
  let raw: unknown;
  try {
    raw = toReference(exact).toObject();
  } catch (cause: unknown) {
    throw new Error(`Missing root. Err: ${String(cause)}`, { cause });
  }
  return normalize(raw);
}

function normalize(raw: unknown): GsbValue {
  if (raw === null || typeof raw === 'boolean' || typeof raw === 'string' || typeof raw === 'number')
    return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (raw instanceof Uint8Array) return raw;
  if (Array.isArray(raw)) return raw.map((item: unknown) => normalize(item));
  if (typeof raw === 'object') {
    const out: Record<string, GsbValue> = {};
    for (const [key, value] of Object.entries(raw)) out[key] = normalize(value);
    return out;
  }
  throw new Error(`unexpected flexbuffers value of type ${typeof raw}`);
}

function add(b: Builder, value: GsbValue): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    b.add(value);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) b.addFloat(value);
    else if (value >= 0) b.addUInt(value);
    else b.addInt(value);
  } else if (value instanceof Uint8Array) {
    // the builder writes the whole buffer under a view: give it one of its own
    b.add(value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice());
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
