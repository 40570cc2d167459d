/**
 * The GSB websocket messages (flexbuffers) as the GSB storage reads and writes them, against the
 * vendored gsb-api-messages.yaml and against the other writers on the wire: the `flatbuffers`
 * package's plain `encode` (golem-js's way) and the flexbuffers type tags serde uses (a `u64` is
 * an unsigned int, bytes a blob, `None` a null). And the SHA3-256 gftp announces uploads with.
 */
import { createHash, randomBytes } from 'node:crypto';
import { encode, toReference } from 'flatbuffers/js/flexbuffers.js';
import { describe, expect, it } from 'vitest';
import { gsbSpecs } from '../../packages/devnet/test/gsb/gsbSpecs.js';
import { isGsbServiceError } from '../../src/gsb/errors/GsbServiceError.js';
import {
  MAX_GFTP_BYTES,
  decodeGsbRequest,
  decodeGsbValue,
  encodeGsbResponse,
  encodeGsbValue,
} from '../../src/gsb/codec.js';
import { createSha3 } from '../../src/gsb/sha3.js';

// flexbuffers value types (flatbuffers' ValueType)
const NULL = 0;
const UINT = 2;
const BLOB = 25;

/** The reader's view of a value (its typings declare `get(number)` only and hide `valueType`). */
interface Ref {
  get(key: string): Ref;
  readonly valueType: number;
}

/** The flexbuffers type of `path` in `bytes`. */
function typeAt(bytes: Uint8Array, ...path: string[]): number {
  let ref = toReference(bytes.slice().buffer) as unknown as Ref;
  for (const key of path) ref = ref.get(key);
  return ref.valueType;
}

describe('GSB messages (flexbuffers)', () => {
  it('reads a request yagna relays: GetChunk with its u64 offset and size, GetMetadata with an empty or no payload', () => {
    const frame = encode({ id: 'a1', component: 'GetChunk', payload: { offset: 40960, size: 40960 } });
    const request = decodeGsbRequest(frame);
    expect(request).toEqual({ id: 'a1', component: 'GetChunk', payload: { offset: 40960, size: 40960 } });
    expect(gsbSpecs.gsbRequest(request)).toBe(true);
    expect(decodeGsbRequest(encode({ id: 'm', component: 'GetMetadata', payload: {} })).payload).toEqual({});
    expect(decodeGsbRequest(encode({ id: 'm', component: 'GetMetadata' })).payload).toEqual({});
    // an ArrayBuffer (a browser's frame) and a view into a bigger buffer (Node's) read alike
    const padded = new Uint8Array(frame.byteLength + 8);
    padded.set(frame, 5);
    expect(decodeGsbRequest(padded.subarray(5, 5 + frame.byteLength))).toEqual(request);
    expect(decodeGsbRequest(frame.slice().buffer)).toEqual(request);
  });

  it('reads UploadChunk’s bytes (a blob) and UploadFinished’s hash, or its null', () => {
    const content = randomBytes(1000);
    const chunk = decodeGsbRequest(
      encode({
        id: 'u',
        component: 'UploadChunk',
        payload: { chunk: { offset: 0, content: new Uint8Array(content) } },
      }),
    );
    const read = (chunk.payload.chunk as { content: Uint8Array }).content;
    expect(read).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(read).equals(content)).toBe(true);
    expect(
      decodeGsbRequest(encode({ id: 'f', component: 'UploadFinished', payload: { hash: null } })).payload,
    ).toEqual({
      hash: null,
    });
  });

  it('writes responses as serde reads them: a u64 as an unsigned int, bytes as a blob, a unit as null; errors as { Variant: value }', () => {
    const metadata = encodeGsbResponse({ id: 'a', payload: { fileSize: 5 * 1024 * 1024 } });
    expect(typeAt(metadata, 'payload', 'fileSize')).toBe(UINT);
    expect(decodeGsbValue(metadata)).toEqual({ id: 'a', payload: { fileSize: 5 * 1024 * 1024 } });
    expect(gsbSpecs.gsbResponse(decodeGsbValue(metadata))).toBe(true);

    const big = new Uint8Array(randomBytes(100_000));
    const part = big.subarray(40_960, 81_920); // a view: the builder alone would write all of `big`
    const chunk = encodeGsbResponse({ id: 'b', payload: { offset: 40_960, content: part } });
    expect(typeAt(chunk, 'payload', 'content')).toBe(BLOB);
    expect(typeAt(chunk, 'payload', 'offset')).toBe(UINT);
    const read = decodeGsbValue(chunk) as { payload: { content: Uint8Array } };
    expect(Buffer.from(read.payload.content).equals(Buffer.from(part))).toBe(true);

    const unit = encodeGsbResponse({ id: 'c', payload: null });
    expect(typeAt(unit, 'payload')).toBe(NULL);
    expect(decodeGsbValue(unit)).toEqual({ id: 'c', payload: null });

    const error = decodeGsbValue(encodeGsbResponse({ id: 'd', error: { ReadError: 'gone' } }));
    expect(error).toEqual({ id: 'd', error: { ReadError: 'gone' } });
    expect(gsbSpecs.gsbResponse(error)).toBe(true);
    expect(decodeGsbValue(encodeGsbResponse({ id: 'e', error: { IntegrityError: null } }))).toEqual({
      id: 'e',
      error: { IntegrityError: null },
    });
  });

  it('a unit answer carries `payload: null` as yagna reads it (and golem-js sends it), which the spec’s `type: object` does not allow', () => {
    // gsb-api-messages.yaml types `payload` as an object; yagna reads it with nulls allowed, and
    // UploadChunk / UploadFinished answer `()`: the spec is stricter than the daemon here.
    expect(gsbSpecs.gsbResponse({ id: 'c', payload: null })).toBe(false);
    expect(gsbSpecs.gsbResponse({ id: 'c', payload: {} })).toBe(true);
  });

  it('writes any integer width the values need, and reads every width up to 32 bits', () => {
    for (const n of [0, 1, 255, 256, 65_535, 65_536, 2 ** 32 - 1]) {
      expect(decodeGsbValue(encodeGsbValue({ offset: n }))).toEqual({ offset: n });
      expect(
        decodeGsbRequest(encode({ id: 'x', component: 'GetChunk', payload: { offset: n, size: 1 } })).payload
          .offset,
      ).toBe(n);
    }
    expect(decodeGsbValue(encodeGsbValue({ n: -5, f: 1.5, s: 'żółw', l: [1, 'a', null] }))).toEqual({
      n: -5,
      f: 1.5,
      s: 'żółw',
      l: [1, 'a', null],
    });
    expect(MAX_GFTP_BYTES).toBe(2 ** 32);
  });

  it('refuses what is not a GSB request with GsbServiceError (`message`): not flexbuffers, no id, no component, a payload that is not a map', () => {
    const refused = (data: Uint8Array): unknown => {
      try {
        decodeGsbRequest(data);
      } catch (error: unknown) {
        return error;
      }
      return undefined;
    };
    for (const data of [
      new Uint8Array([1, 2]),
      encode({ component: 'GetChunk', payload: {} }),
      encode({ id: 'x', payload: {} }),
      encode({ id: 'x', component: 'GetChunk', payload: [1, 2] }),
      encode([1, 2, 3]),
    ]) {
      const error = refused(data);
      expect(isGsbServiceError(error) && error.context.operation).toBe('message');
    }
  });
});

describe('SHA3-256 (what UploadFinished announces)', () => {
  it('is node:crypto’s sha3-256, fed whole or in pieces across the 136-byte blocks', () => {
    for (const n of [0, 1, 135, 136, 137, 272, 1000, 100_001]) {
      const data = randomBytes(n);
      const hasher = createSha3();
      for (let at = 0; at < n; at += 97) hasher.update(data.subarray(at, at + 97));
      expect(hasher.digest()).toBe(createHash('sha3-256').update(data).digest('hex'));
    }
    // the FIPS 202 example of the empty message
    const empty = createSha3();
    expect(empty.digest()).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
  });
});
