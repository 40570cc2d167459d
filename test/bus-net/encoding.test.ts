// Event frames are encoded by walking the payload for byte arrays, then JSON.stringify: the JSON
// must be what JSON.stringify writes (toJSON included), the bytes must travel beside it.
import { describe, expect, it } from 'vitest';
import { encodeEventFrame, type EncodedFrame } from '../../src/bus/net/wire/codec.js';
import { FrameDecoder } from '../../src/bus/net/wire/FrameDecoder.js';
import type { EventFrame, Frame } from '../../src/bus/net/wire/frames.js';

/** Encode, then decode with the real decoder: the frame as a peer receives it. */
function roundTrip(payload: unknown): EventFrame {
  const frame: EncodedFrame = encodeEventFrame('x.T', payload, {}, 1 << 22);
  const frames: Frame[] = [];
  const decoder = new FrameDecoder(
    1 << 22,
    {
      frame: (f) => void frames.push(f),
      error: (e) => {
        throw e;
      },
    },
    () => 'peer',
  );
  decoder.push(Buffer.concat(frame.parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  expect(frames).toHaveLength(1);
  return frames[0] as EventFrame;
}

class Money {
  constructor(readonly amount: string) {}
  toJSON(): string {
    return `${this.amount} GLM`;
  }
}

class Shape {
  readonly kind = 'square';
  constructor(
    readonly side: number,
    readonly tags: readonly string[],
  ) {}
}

describe('event payload encoding', () => {
  it('writes exactly the JSON of JSON.stringify when there are no bytes', () => {
    const payloads: unknown[] = [
      { n: 1, s: 'é"\\\n', b: true, z: null, u: undefined, f: () => 1 },
      new Shape(2, ['a', 'b']),
      { price: new Money('1.5'), when: new Date(0), list: [1, undefined, new Money('2'), [[]]] },
      { nested: { deeper: { deepest: [{ a: 1 }, { b: [2, 3] }] } } },
      { sparse: [1, , 3], typed: new Float32Array([1.5]) }, // eslint-disable-line no-sparse-arrays
      [new Money('3'), { x: 1 }],
      'just a string',
      42,
      undefined,
    ];
    for (const payload of payloads) {
      const frame = roundTrip(payload);
      expect(JSON.stringify(frame.p)).toBe(JSON.stringify(payload) ?? 'null');
      expect(frame.b).toBeUndefined();
    }
  });

  it('carries byte arrays beside the JSON wherever they are, toJSON results included', () => {
    const one = Buffer.from([1]);
    const two = new Uint8Array([2, 2]);
    const three = Buffer.from([3, 3, 3]);
    const payload = {
      top: one,
      list: [{ inner: two }, 'x'],
      price: new Money('7'),
      packed: { toJSON: () => ({ bytes: three, note: 'from toJSON' }) },
    };
    const frame = roundTrip(payload);
    expect(frame.p).toEqual({
      top: { $b: 0 },
      list: [{ inner: { $b: 1 } }, 'x'],
      price: '7 GLM',
      packed: { bytes: { $b: 2 }, note: 'from toJSON' },
    });
    expect(frame.b).toEqual([1, 2, 3]);
    expect(frame.bin!.map((b) => [...b])).toEqual([[1], [2, 2], [3, 3, 3]]);
    // the caller's payload is left as it was
    expect(payload.top).toBe(one);
    expect(payload.list[0]).toEqual({ inner: two });
  });

  it('never lets Buffer#toJSON turn bytes into an array of numbers', () => {
    const frame = roundTrip({ data: Buffer.from('hi') });
    expect(frame.p).toEqual({ data: { $b: 0 } });
    expect(Buffer.from(frame.bin![0]!).toString()).toBe('hi');
  });

  it('handles what the walk leaves alone exactly like JSON.stringify: deep nesting, cycles', () => {
    let deep: Record<string, unknown> = { bytes: Buffer.from([9]) };
    for (let i = 0; i < 150; i++) deep = { deep };
    const frame = roundTrip(deep);
    expect(frame.b).toEqual([1]);
    let at: unknown = frame.p;
    for (let i = 0; i < 150; i++) at = (at as { deep: unknown }).deep;
    expect(at).toEqual({ bytes: { $b: 0 } });

    const cyclic: Record<string, unknown> = { bytes: Buffer.from([1]) };
    cyclic.self = cyclic;
    expect(() => encodeEventFrame('x.T', cyclic, {}, 1 << 20)).toThrow(TypeError);
  });

  it('takes the general path when a toJSON returns an object with a toJSON, with the same result', () => {
    const odd = { toJSON: () => ({ toJSON: () => 'never called', x: 1, bytes: Buffer.from([5]) }) };
    const frame = roundTrip({ odd, more: Buffer.from([6]) });
    const bytesAt = (marker: unknown): number[] => [...frame.bin![(marker as { $b: number }).$b]!];
    const p = frame.p as { odd: { x: number; bytes: unknown }; more: unknown };
    expect(p.odd.x).toBe(1);
    expect([bytesAt(p.odd.bytes), bytesAt(p.more)]).toEqual([[5], [6]]);
    expect(JSON.stringify(roundTrip({ odd: { toJSON: () => ({ toJSON: () => 1, y: 2 }) } }).p)).toBe(
      JSON.stringify({ odd: { toJSON: () => ({ toJSON: () => 1, y: 2 }) } }),
    );
  });

  it('calls each toJSON once, with its key', () => {
    const keys: string[] = [];
    const spy = { toJSON: (key: string) => (keys.push(key), 'ok') };
    roundTrip({ a: spy, list: [spy], bytes: Buffer.from([1]) });
    expect(keys).toEqual(['a', '0']);
  });
});
