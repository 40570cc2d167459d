// Bytes frames: a small JSON head plus the raw bytes, written as parts (never copied per peer),
// read in place by dialled connections, validated like every frame, and under backpressure.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  BaseEvent,
  Endpoint,
  EventRegistry,
  isFrameError,
  type FrameError,
} from '../../src/bus/net/index.js';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import {
  REFERENCED_ATTACHMENT_BYTES,
  encodeEventFrame,
  encodeFrame,
  type EncodedFrame,
} from '../../src/bus/net/wire/codec.js';
import { FrameDecoder, LARGE_FRAME_BYTES } from '../../src/bus/net/wire/FrameDecoder.js';
import type { EventFrame, Frame } from '../../src/bus/net/wire/frames.js';
import { Bytes } from './fixtures/events.js';
import { eventually, socketDir } from './fixtures/puppets.js';
import { rawClient, rawServer, type RawClient, type RawServer } from './fixtures/raw.js';

/** `n` bytes of a pattern that differs from byte to byte and from one `seed` to another. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

/** Deterministic read sizes between 1 and `max`, as a socket would return them. */
function sizes(max: number, seed = 1): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return 1 + (x % max);
  };
}

function decoder(max = 8 * 1024 * 1024): {
  d: FrameDecoder;
  frames: Frame[];
  errors: [FrameError, boolean][];
} {
  const frames: Frame[] = [];
  const errors: [FrameError, boolean][] = [];
  const d = new FrameDecoder(
    max,
    { frame: (f) => void frames.push(f), error: (e, fatal) => void errors.push([e, fatal]) },
    () => 'peer',
  );
  return { d, frames, errors };
}

/** Play `bytes` into the decoder the way a socket with `onread` does; returns the buffers it lent. */
function readDirect(d: FrameDecoder, bytes: Buffer, next: () => number): Buffer[] {
  const lent: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const into = d.readBuffer();
    if (into.length === 0) throw new Error('the decoder lent an empty buffer');
    lent.push(into);
    const n = Math.min(into.length, next(), bytes.length - at);
    bytes.copy(into, 0, at, at + n);
    at += n;
    d.didRead(n);
  }
  return lent;
}

const wire = (frame: EncodedFrame): Buffer => Buffer.concat(frame.parts.map((p) => Buffer.from(p)));

/** A well-sized frame: `json` as its JSON part (its length field `jsonLength`), then `tail`. */
function body(json: string, tail: Buffer, jsonLength?: number): Buffer {
  const j = Buffer.from(json);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4 + j.length + tail.length, 0);
  head.writeUInt32BE(jsonLength ?? j.length, 4);
  return Buffer.concat([head, j, tail]);
}

describe('bytes frames on the wire', () => {
  it('encodes once: a large byte array is a part of its own, the very array given, small ones join the head', () => {
    const big = pattern(300_000, 1);
    const small = pattern(10, 2);
    const frame = encodeEventFrame('x.Blob', { small, big, n: 1 }, {}, 1 << 20);
    expect(frame.parts).toHaveLength(2);
    expect(frame.parts[1]).toBe(big); // the caller's bytes: neither escaped nor copied
    expect(frame.bytes).toBe(frame.parts[0]!.byteLength + big.length);
    expect(small.length).toBeLessThan(REFERENCED_ATTACHMENT_BYTES);
    // the same parts go to every peer: decoding them twice gives the same event
    const a = decoder();
    const b = decoder();
    a.d.push(wire(frame));
    b.d.push(wire(frame));
    expect(a.frames).toEqual(b.frames);
    expect(Buffer.from((a.frames[0] as EventFrame).bin![1]!).equals(big)).toBe(true);
  });

  it('round-trips through chunks and through in-place reads, at any read sizes', () => {
    const big = pattern(LARGE_FRAME_BYTES + 3, 3);
    const frames = [
      encodeEventFrame('x.Big', { d: big }, { req: 'e:1' }, 1 << 20),
      encodeEventFrame('x.Small', { d: pattern(7, 4), s: 'é' }, {}, 1 << 20),
      encodeEventFrame('x.Big', { d: big, e: pattern(REFERENCED_ATTACHMENT_BYTES, 5) }, {}, 1 << 20),
    ];
    const bytes = Buffer.concat([...frames.map(wire), encodeFrame({ k: 'ack', seq: 9 }, 1 << 20)]);
    for (const max of [1, 13, 1000, 70_000, 300_000]) {
      const chunked = decoder();
      for (let at = 0, next = sizes(max); at < bytes.length;) {
        const n = next();
        chunked.d.push(bytes.subarray(at, at + n));
        at += n;
      }
      const direct = decoder();
      readDirect(direct.d, bytes, sizes(max));
      for (const { frames: got, errors } of [chunked, direct]) {
        expect(errors).toEqual([]);
        expect(got.map((f) => f.k)).toEqual(['ev', 'ev', 'ev', 'ack']);
        const [first, second, third] = got as EventFrame[];
        expect(first).toMatchObject({ t: 'x.Big', req: 'e:1', b: [big.length] });
        expect(Buffer.from(first!.bin![0]!).equals(big)).toBe(true);
        expect(second!.p).toEqual({ d: { $b: 0 }, s: 'é' });
        expect(Buffer.from(second!.bin![0]!).equals(pattern(7, 4))).toBe(true);
        expect(Buffer.from(third!.bin![1]!).equals(pattern(REFERENCED_ATTACHMENT_BYTES, 5))).toBe(true);
      }
    }
  });

  it('reads a large body in place: the attachment is the memory the socket read into', () => {
    const big = pattern(LARGE_FRAME_BYTES * 4, 6);
    const { d, frames } = decoder();
    const lent = readDirect(d, wire(encodeEventFrame('x.Big', { d: big }, {}, 1 << 20)), sizes(200_000));
    const got = (frames[0] as EventFrame).bin![0]!;
    expect(Buffer.from(got).equals(big)).toBe(true);
    expect(lent.filter((b) => b.buffer === got.buffer).length).toBeGreaterThan(0);
  });

  it('never overwrites bytes it handed out, though it reuses its scratch space', () => {
    const { d, frames } = decoder();
    const sent = Array.from({ length: 3000 }, (_, i) => pattern(1 + (i % 40), i));
    const encoded = sent.map((b) => wire(encodeEventFrame('x.B', { b }, {}, 1 << 20)));
    // a socket mostly returns whole messages: each read here is one to three whole frames
    let next = 0;
    const reads = (): number => {
      const group = encoded.slice(next, next + 1 + (next % 3));
      next += group.length;
      return group.reduce((n, f) => n + f.length, 0);
    };
    const lent = readDirect(d, Buffer.concat(encoded), reads);
    expect(frames).toHaveLength(sent.length);
    frames.forEach((f, i) => expect(Buffer.from((f as EventFrame).bin![0]!).equals(sent[i]!)).toBe(true));
    // every read went to the start of one scratch buffer, the bytes handed out were copies
    expect(lent.length).toBeGreaterThan(1000);
    expect(new Set(lent.map((b) => b.buffer)).size).toBe(1);
  });

  it('does linear work: each byte is copied at most once, however the frame is cut', () => {
    /**
     * Counts the bytes copied (Buffer#copy) out of anything but `source` (which the test itself
     * copies, playing the kernel), and checks that nothing is joined.
     */
    const copied = (source?: Buffer): { bytes: () => number; restore: () => void } => {
      const copy = vi.spyOn(Buffer.prototype, 'copy');
      const concat = vi.spyOn(Buffer, 'concat');
      return {
        bytes: () => {
          expect(concat).not.toHaveBeenCalled();
          return copy.mock.results.reduce(
            (n, r, i) => (copy.mock.contexts[i] === source ? n : n + (r.value as number)),
            0,
          );
        },
        restore: () => {
          copy.mockRestore();
          concat.mockRestore();
        },
      };
    };
    const large = wire(encodeEventFrame('x.Big', { d: pattern(1024 * 1024, 8) }, {}, 1 << 21));
    const small = wire(encodeEventFrame('x.Small', { d: pattern(LARGE_FRAME_BYTES - 100, 9) }, {}, 1 << 21));
    for (const [frame, chunk] of [
      [large, 1000],
      [large, 7],
      [small, 1],
      [small, 999],
    ] as const) {
      const { d, frames } = decoder();
      const count = copied();
      try {
        for (let at = 0; at < frame.length; at += chunk) d.push(frame.subarray(at, at + chunk));
        expect(count.bytes()).toBeLessThanOrEqual(frame.length);
      } finally {
        count.restore();
      }
      expect(frames).toHaveLength(1);
    }
    // read in place: only what the first read brought into scratch space is moved
    const { d, frames } = decoder();
    const count = copied(large);
    try {
      readDirect(d, large, () => 64 * 1024);
      expect(count.bytes()).toBeLessThanOrEqual(64 * 1024);
    } finally {
      count.restore();
    }
    expect(Buffer.from((frames[0] as EventFrame).bin![0]!).equals(pattern(1024 * 1024, 8))).toBe(true);
  });

  it('gives every large frame a body of its own, read in place one after the other', () => {
    const { d, frames } = decoder();
    const sent = [1, 2, 3, 4, 5].map((i) => pattern(LARGE_FRAME_BYTES * 2, i));
    const bytes = Buffer.concat([
      ...sent.map((b) => wire(encodeEventFrame('x.Big', { b }, {}, 1 << 20))),
      encodeFrame({ k: 'ack', seq: 1 }, 1024),
    ]);
    readDirect(d, bytes, sizes(50_000));
    const got = frames.filter((f): f is EventFrame => f.k === 'ev').map((f) => f.bin![0]!);
    expect(got).toHaveLength(5);
    // all still intact once the next ones were read, and no two share memory
    got.forEach((b, i) => expect(Buffer.from(b).equals(sent[i]!)).toBe(true));
    expect(new Set(got.map((b) => b.buffer)).size).toBe(5);
  });

  it('refuses corrupt large frames and keeps reading; an oversized length is fatal', () => {
    for (const feed of ['chunks', 'in place'] as const) {
      const { d, frames, errors } = decoder(LARGE_FRAME_BYTES * 4);
      const tail = pattern(LARGE_FRAME_BYTES * 2, 7);
      const oversized = Buffer.alloc(4);
      oversized.writeUInt32BE(LARGE_FRAME_BYTES * 4 + 1);
      const bytes = Buffer.concat([
        body('{"k":"ev","t":"x.Y","p":{},"b":[5]}', tail), // lengths do not add up
        body('{"k":"ev","t":"x.Y", oops', tail), // not JSON
        body('{"k":"ev","t":"x.Y","p":{},"b":[10]}', tail, 4 + tail.length * 2), // JSON length past the end
        wire(encodeEventFrame('x.Ok', { d: tail }, {}, 1 << 20)),
        oversized,
        encodeFrame({ k: 'ack', seq: 1 }, 1024),
      ]);
      if (feed === 'chunks') d.push(bytes);
      else readDirect(d, bytes, sizes(100_000));
      expect(errors.map(([e, fatal]) => [e.context.kind, fatal])).toEqual([
        ['invalid-frame', false],
        ['garbage', false],
        ['garbage', false],
        ['oversized', true],
      ]);
      expect(isFrameError(errors[3]![0]) && errors[3]![0].context.size).toBe(LARGE_FRAME_BYTES * 4 + 1);
      expect(frames.map((f) => (f.k === 'ev' ? f.t : f.k))).toEqual(['x.Ok']);
      expect(Buffer.from((frames[0] as EventFrame).bin![0]!).equals(tail)).toBe(true);
    }
  });
});

const sockets = socketDir();
const open: Endpoint[] = [];
const raws: RawClient[] = [];
const servers: RawServer[] = [];

afterEach(async () => {
  for (const r of raws.splice(0)) r.socket.destroy();
  await Promise.all([...open.splice(0).map((e) => e.close()), ...servers.splice(0).map((s) => s.close())]);
});
afterAll(() => sockets.remove());

function errorsOf(ep: Endpoint): GolemRxError[] {
  const errors: GolemRxError[] = [];
  ep.errors$.subscribe({ next: (e) => void errors.push(e) });
  return errors;
}

describe('bytes frames between endpoints', () => {
  it('round-trips bytes both ways: read in place by the dialler, from chunks by the listener', async () => {
    const server = await Endpoint.serve({ name: 'bs', path: sockets.path('bs') });
    const client = await new Endpoint('bc').run();
    open.push(server, client);
    await client.connectToEndpoints(server.connectionConfig!);
    const atClient: Bytes[] = [];
    const atServer: Bytes[] = [];
    await client.subscribe(Bytes, (b) => void atClient.push(b));
    await server.subscribe(Bytes, (b) => void atServer.push(b));
    const sent = [
      pattern(3 * 1024 * 1024 + 1, 1),
      pattern(0, 2),
      pattern(5, 3),
      pattern(LARGE_FRAME_BYTES, 4),
    ];
    for (const [i, data] of sent.entries()) {
      await server.broadcast(new Bytes(`s${i}`, data));
      await client.broadcast(new Bytes(`c${i}`, data));
    }
    await eventually(() => atClient.length === 2 * sent.length && atServer.length === 2 * sent.length);
    for (const [got, prefix] of [
      [atClient, 's'],
      [atServer, 'c'],
    ] as const) {
      const remote = got.filter((b) => b.label.startsWith(prefix));
      expect(remote.map((b) => b.label)).toEqual(sent.map((_, i) => `${prefix}${i}`));
      remote.forEach((b, i) => expect(Buffer.from(b.data).equals(sent[i]!)).toBe(true));
    }
  });

  it('rejects a corrupt bytes frame with a typed error and keeps the connection; closes it on an oversized one', async () => {
    const raw = await rawServer(sockets.path('rs'), 'rs');
    servers.push(raw);
    const ep = await new Endpoint('dialler', { maxFrameBytes: 1024 * 1024, reconnect: false }).run();
    open.push(ep);
    const errors = errorsOf(ep);
    const got: Bytes[] = [];
    await ep.subscribe(Bytes, (b) => void got.push(b));
    await ep.connectToEndpoints({ name: 'rs', path: sockets.path('rs') });
    const remote = await raw.connected;
    raws.push(remote);
    const data = pattern(200_000, 9);
    remote.sendRaw(body('{"k":"ev","t":"test.Bytes","p":{"label":"x","data":{"$b":0}},"b":[7]}', data));
    remote.sendRaw(
      body('{"k":"ev","t":"test.Bytes","p":{"label":"x","data":"not bytes"},"b":[200000]}', data),
    );
    remote.sendRaw(wire(encodeEventFrame('test.Bytes', new Bytes('ok', data), {}, 1 << 20)));
    await eventually(() => got.length === 1);
    expect(got[0]!.label).toBe('ok');
    expect(Buffer.from(got[0]!.data).equals(data)).toBe(true);
    const frameErrors = (): FrameError[] => errors.filter(isFrameError);
    expect(frameErrors().map((e) => [e.context.kind, e.context.direction])).toEqual([
      ['invalid-frame', 'in'],
      ['invalid-payload', 'in'],
    ]);
    expect(frameErrors()[1]!.context).toMatchObject({
      peer: 'rs',
      eventType: 'test.Bytes',
      field: 'payload.data',
    });
    expect(ep.isConnectedTo('rs')).toBe(true);

    const oversized = Buffer.alloc(4);
    oversized.writeUInt32BE(1024 * 1024 + 1);
    remote.sendRaw(oversized);
    await eventually(() => !ep.isConnectedTo('rs'));
    expect(frameErrors().at(-1)!.context).toMatchObject({ kind: 'oversized', size: 1024 * 1024 + 1 });
  });

  it('refuses to send a bytes frame above maxFrameBytes', async () => {
    const server = await Endpoint.serve({ name: 'lim', path: sockets.path('lim'), maxFrameBytes: 100_000 });
    const client = await new Endpoint('limc').run();
    open.push(server, client);
    await client.connectToEndpoints(server.connectionConfig!);
    await client.subscribe(Bytes, () => undefined);
    await expect(server.broadcast(new Bytes('big', pattern(100_000, 1)))).rejects.toSatisfy(
      (e: unknown) => isFrameError(e) && e.context.kind === 'oversized' && e.context.direction === 'out',
    );
  });

  it('holds a broadcast of bytes for a slow peer only, and delivers intact bytes once it reads', async () => {
    const server = await Endpoint.serve({ name: 'bp', path: sockets.path('bp'), maxFrameBytes: 8 << 20 });
    open.push(server);
    const slow = await rawClient(sockets.path('bp'), 'slow', ['test.Bytes']);
    raws.push(slow);
    slow.socket.pause(); // reads nothing: its socket fills up
    const fast = await new Endpoint('fast').run();
    open.push(fast);
    await fast.connectToEndpoints(server.connectionConfig!);
    const got: Bytes[] = [];
    await fast.subscribe(Bytes, (b) => void got.push(b));
    await eventually(() => server.isEndpointSubscribedTo('slow', Bytes));

    const sent = [1, 2, 3].map((i) => pattern(2 * 1024 * 1024, i));
    let settled = false;
    const done = Promise.all(sent.map((d, i) => server.broadcast(new Bytes(`${i}`, d)))).then(
      () => (settled = true),
    );
    await eventually(() => got.length === 3); // the fast peer has everything...
    expect(settled).toBe(false); // ...while the broadcasts wait for the slow one's backlog
    slow.socket.resume();
    await done;
    await eventually(() => slow.frames.filter((f) => f.k === 'ev').length === 3);
    const frames = slow.frames.filter((f): f is EventFrame => f.k === 'ev');
    frames.forEach((f, i) => expect(Buffer.from(f.bin![0]!).equals(sent[i]!)).toBe(true));
    got.forEach((b, i) => expect(Buffer.from(b.data).equals(sent[i]!)).toBe(true));
  });

  it('encodes a broadcast once, whatever the number of peers', async () => {
    class Counted extends BaseEvent {
      constructor(readonly data: Uint8Array) {
        super();
      }
    }
    let encoded = 0;
    const registry = new EventRegistry().register(
      'test.Counted',
      Counted,
      (p) => new Counted(p.bytes('data')),
      (e) => {
        encoded++;
        return { data: e.data };
      },
    );
    const server = await Endpoint.serve({ name: 'hub', path: sockets.path('hub'), registry });
    open.push(server);
    const received: Uint8Array[][] = [];
    for (let i = 0; i < 4; i++) {
      const peer = await new Endpoint(`p${i}`, { registry }).run();
      open.push(peer);
      await peer.connectToEndpoints(server.connectionConfig!);
      const mine: Uint8Array[] = [];
      received.push(mine);
      await peer.subscribe(Counted, (c) => void mine.push(c.data));
    }
    await server.waitUntilAllEndpointsSubscribedTo(Counted, { includeSelf: false });
    const data = pattern(LARGE_FRAME_BYTES * 3, 5);
    await server.broadcast(new Counted(data));
    await eventually(() => received.every((r) => r.length === 1));
    expect(encoded).toBe(1);
    for (const r of received) expect(Buffer.from(r[0]!).equals(data)).toBe(true);
  });
});
