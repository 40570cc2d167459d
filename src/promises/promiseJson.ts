import { PromisePayloadError } from './errors/PromisePayloadError.js';
import type { PromiseId } from './PromiseId.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes `value` as UTF-8 JSON bytes, the payload `completePromiseJson` stores.
 * Throws {@link PromisePayloadError} when JSON cannot represent it (`undefined`, a function,
 * a BigInt, a cycle).
 */
export function encodePromiseJson(id: PromiseId, value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new PromisePayloadError(id, 'encode', { cause: err });
  }
  if (text === undefined) {
    throw new PromisePayloadError(id, 'encode', {
      cause: new TypeError(`JSON cannot represent ${typeof value}`),
    });
  }
  return encoder.encode(text);
}

/**
 * Decodes UTF-8 JSON bytes. The result is what the bytes say, unchecked: `T` is the caller's
 * claim, so validate it when it comes from outside. Throws {@link PromisePayloadError} when the
 * bytes are not UTF-8 JSON.
 */
export function decodePromiseJson<T = unknown>(id: PromiseId, data: Uint8Array): T {
  try {
    return JSON.parse(decoder.decode(data)) as T;
  } catch (err) {
    throw new PromisePayloadError(id, 'decode', { cause: err });
  }
}
