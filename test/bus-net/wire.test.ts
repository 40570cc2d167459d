import { describe, expect, it } from 'vitest';
import {
  BaseEvent,
  BroadcastConfig,
  EventRegistry,
  Payload,
  isBusConfigError,
  isFrameError,
  type FrameError,
} from '../../src/bus/net/index.js';
import { encodeEventFrame, encodeFrame } from '../../src/bus/net/wire/codec.js';
import { FrameDecoder } from '../../src/bus/net/wire/FrameDecoder.js';
import { validateFrame, type Frame } from '../../src/bus/net/wire/frames.js';

function decoder(max = 1024): { d: FrameDecoder; frames: Frame[]; errors: [FrameError, boolean][] } {
  const frames: Frame[] = [];
  const errors: [FrameError, boolean][] = [];
  const d = new FrameDecoder(
    max,
    { frame: (f) => void frames.push(f), error: (e, fatal) => void errors.push([e, fatal]) },
    () => 'peer',
  );
  return { d, frames, errors };
}

/** A frame whose body is a JSON length and `text`, plus `extra` bytes after it. */
function body(text: string, extra = Buffer.alloc(0)): Buffer {
  const b = Buffer.from(text);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(b.length + 4 + extra.length, 0);
  head.writeUInt32BE(b.length, 4);
  return Buffer.concat([head, b, extra]);
}

/** A frame of raw body bytes. */
function raw(bytes: number[]): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bytes.length);
  return Buffer.concat([head, Buffer.from(bytes)]);
}

const ack: Frame = { k: 'ack', seq: 3 };
const ev: Frame = { k: 'ev', t: 'x.Ev', p: { a: 1 }, req: 'e1:4' };

describe('frames', () => {
  it('round-trips frames split at every byte and packed in one chunk', () => {
    const bytes = Buffer.concat([encodeFrame(ack, 1024), encodeFrame(ev, 1024)]);
    const split = decoder();
    for (let i = 0; i < bytes.length; i++) split.d.push(bytes.subarray(i, i + 1));
    const packed = decoder();
    packed.d.push(bytes);
    expect(split.frames).toEqual([ack, ev]);
    expect(packed.frames).toEqual([ack, ev]);
    expect(split.errors).toEqual([]);
  });

  it('drops garbage, empty and malformed frames and keeps reading', () => {
    const { d, frames, errors } = decoder();
    d.push(
      Buffer.concat([
        body('{not json'),
        body(''),
        raw([]),
        raw([0xde, 0xad, 0xbe, 0xef, 1]),
        body('{"k":"ev","t":"bad tag!"}'),
        body('[1,2]'),
        body('{"k":"ack","seq":1}', Buffer.from('trailing')),
        body('{"k":"ev","t":"x.Y","p":{},"b":[3]}', Buffer.from('ab')),
        encodeFrame(ack, 1024),
      ]),
    );
    expect(errors.map(([e, fatal]) => [e.context.kind, fatal])).toEqual([
      ['garbage', false],
      ['garbage', false],
      ['garbage', false],
      ['garbage', false],
      ['invalid-frame', false],
      ['invalid-frame', false],
      ['invalid-frame', false],
      ['invalid-frame', false],
    ]);
    expect(errors[0]![0].context).toMatchObject({ direction: 'in', peer: 'peer' });
    expect(frames).toEqual([ack]);
  });

  it('refuses an oversized length as fatal and reads nothing after it', () => {
    const { d, frames, errors } = decoder(16);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1_000_000);
    d.push(Buffer.concat([head, Buffer.alloc(10)]));
    d.push(encodeFrame(ack, 1024));
    expect(errors.map(([e, fatal]) => [e.context.kind, e.context.size, fatal])).toEqual([
      ['oversized', 1_000_000, true],
    ]);
    expect(frames).toEqual([]);
  });

  it('carries byte arrays raw beside the JSON, at any depth', () => {
    const { d, frames, errors } = decoder(1 << 20);
    const big = Buffer.alloc(300_000, 7);
    const payload = { name: 'blob', data: big, nested: { list: [new Uint8Array([1, 2]), 'x'] } };
    d.push(Buffer.concat(encodeEventFrame('x.Blob', payload, { req: 'e:1' }, 1 << 20).parts));
    expect(errors).toEqual([]);
    const frame = frames[0] as Frame & { k: 'ev' };
    expect(frame).toMatchObject({
      t: 'x.Blob',
      req: 'e:1',
      b: [300_000, 2],
      p: { name: 'blob', data: { $b: 0 }, nested: { list: [{ $b: 1 }, 'x'] } },
    });
    const p = Payload.from(frame.p, 'payload', frame.bin);
    expect(Buffer.from(p.bytes('data')).equals(big)).toBe(true);
    expect([...p.object('nested').array('list')]).toEqual([{ $b: 1 }, 'x']);
    expect(() => p.bytes('name')).toThrow(/expected bytes/);
    expect(() => Payload.from({ fake: { $b: 5 } }, 'payload', frame.bin).bytes('fake')).toThrow(
      /expected bytes/,
    );
  });

  it('refuses to encode a frame above the limit', () => {
    expect(() => encodeEventFrame('x.Ok', { small: 1 }, {}, 50)).not.toThrow();
    expect(() => encodeFrame({ k: 'ev', t: 'x.Big', p: 'x'.repeat(100) }, 50)).toThrow(
      expect.objectContaining({
        name: 'FrameError',
        context: expect.objectContaining({ kind: 'oversized', direction: 'out', eventType: 'x.Big' }),
      }),
    );
  });

  it('validates every frame kind as data only', () => {
    expect(validateFrame({ k: 'hello', v: 1, name: 'a', seq: 0, subs: ['x.Y'] })).toMatchObject({
      k: 'hello',
    });
    expect(validateFrame({ k: 'hello', v: 1, name: '../etc', seq: 0, subs: [] })).toBe('bad hello frame');
    expect(validateFrame({ k: 'subs', seq: -1, subs: [] })).toBe('bad subs frame');
    expect(validateFrame({ k: 'ev', t: 'x.Y', p: 1, req: 'a:1', re: 'a:2' })).toBe('both req and re');
    expect(validateFrame({ k: 'ev', t: 'x.Y', p: 1, req: 'no-counter' })).toBe('bad request id');
    expect(validateFrame({ k: 'nores', re: 'a:1' })).toMatchObject({ k: 'nores' });
    expect(validateFrame({ k: 'exec', code: 'process.exit()' })).toBe('unknown frame kind');
  });
});

describe('Payload', () => {
  it('reads typed fields and refuses wrong ones with the field named', () => {
    const p = Payload.from(JSON.parse('{"s":"x","n":2,"b":true,"a":["u"],"o":{"i":3},"z":null}'));
    expect([
      p.string('s'),
      p.integer('n'),
      p.boolean('b'),
      p.stringArray('a'),
      p.object('o').number('i'),
    ]).toEqual(['x', 2, true, ['u'], 3]);
    expect([p.optionalString('z'), p.optionalNumber('missing'), p.optionalBoolean('b')]).toEqual([
      undefined,
      undefined,
      true,
    ]);
    let error: unknown;
    try {
      p.object('o').string('i');
    } catch (e) {
      error = e;
    }
    expect(isFrameError(error) && error.context).toMatchObject({
      kind: 'invalid-payload',
      field: 'payload.o.i',
    });
    expect(() => Payload.from([1])).toThrow(/expected an object/);
  });

  it('treats __proto__ and constructor keys as inert data', () => {
    const p = Payload.from(JSON.parse('{"__proto__":{"polluted":true},"constructor":"x"}'));
    expect(p.value('__proto__')).toEqual({ polluted: true });
    expect(p.string('constructor')).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => Payload.from({}).string('toString')).toThrow(/expected a string/);
  });
});

describe('EventRegistry and BroadcastConfig', () => {
  abstract class Base extends BaseEvent {}
  class A extends Base {}
  class B extends A {}
  class C extends BaseEvent {}

  it('lists the tags a subscriber of a class receives, subclasses included', () => {
    const r = new EventRegistry()
      .register('t.A', A, () => new A())
      .register('t.B', B, () => new B())
      .register('t.C', C, () => new C());
    expect(r.typesAssignableTo(Base)).toEqual(['t.A', 't.B']);
    expect(r.typesAssignableTo(B)).toEqual(['t.B']);
    expect(r.typesAssignableTo(BaseEvent)).toEqual(['t.A', 't.B', 't.C']);
    expect(r.typeOf(Base)).toBeUndefined();
  });

  it('refuses invalid tags and double registrations', () => {
    const r = new EventRegistry().register('t.A', A, () => new A());
    expect(() => r.register('t.A', B, () => new B())).toThrow(expect.toSatisfy(isBusConfigError));
    expect(() => r.register('t.A2', A, () => new A())).toThrow(/already registered/);
    expect(() => r.register('bad tag', C, () => new C())).toThrow(/Invalid event type tag/);
  });

  it('refuses internal with filterEndpoint', () => {
    expect(() => new BroadcastConfig({ internal: true, filterEndpoint: 'x' })).toThrow(
      expect.toSatisfy(isBusConfigError),
    );
    const c = new BroadcastConfig({ filterEndpoint: 'x' });
    expect([
      c.allowedToReceive('x'),
      c.allowedToReceive('y'),
      new BroadcastConfig().allowedToReceive('y'),
    ]).toEqual([true, false, true]);
    expect(c.requireSubscriber).toBe(false);
  });
});
