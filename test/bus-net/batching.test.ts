// A peer's send queue batches what one tick sends: small frames leave joined in one buffer,
// which every peer that got the same frames shares; large parts are never copied.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { asyncScheduler } from 'rxjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SendQueue, type SendQueueLimits } from '../../src/bus/net/SendQueue.js';
import { encodeEventFrame, encodeFrame, wholeFrame } from '../../src/bus/net/wire/codec.js';
import { FrameDecoder } from '../../src/bus/net/wire/FrameDecoder.js';
import type { EventFrame, Frame } from '../../src/bus/net/wire/frames.js';
import { socketDir } from './fixtures/puppets.js';

const sockets = socketDir();
afterAll(() => sockets.remove());

const limits: SendQueueLimits = {
  highWaterMark: 8 * 1024 * 1024,
  nowaitMaxFrames: 10_000,
  nowaitMaxBytes: 64 * 1024 * 1024,
  overflow: 'drop-newest',
  slowPeerTimeout: 0,
  scheduler: asyncScheduler,
};

interface Link {
  /** The sending side, with a spy on its `write`. */
  readonly out: Socket;
  readonly writes: { readonly mock: { readonly calls: readonly (readonly unknown[])[] } };
  readonly queue: SendQueue;
  /** What the receiving side decoded. */
  readonly frames: Frame[];
}

let server: Server | undefined;
const open: Socket[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** `n` connections to one server, each with a send queue on the server's side. */
async function links(n: number, name: string): Promise<Link[]> {
  const accepted: Socket[] = [];
  server = createServer((s) => void accepted.push(s));
  server.listen(sockets.path(name));
  await once(server, 'listening');
  const result: Link[] = [];
  for (let i = 0; i < n; i++) {
    const frames: Frame[] = [];
    const decoder = new FrameDecoder(
      1 << 24,
      {
        frame: (f) => void frames.push(f),
        error: (e) => {
          throw e;
        },
      },
      () => 'hub',
    );
    const client = createConnection(sockets.path(name));
    client.on('data', (chunk: Buffer) => decoder.push(chunk));
    open.push(client);
    await once(client, 'connect');
    while (accepted.length <= i) await new Promise((r) => setImmediate(r));
    const out = accepted[i]!;
    open.push(out);
    const writes = vi.spyOn(out, 'write');
    result.push({ out, writes, queue: new SendQueue(out, limits, () => undefined), frames });
  }
  return result;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const chunksOf = (link: Link): unknown[] => link.writes.mock.calls.map((call) => call[0]);

describe('send batching', () => {
  it('writes the frames of one tick as one buffer, the same one to every peer that got them', async () => {
    const peers = await links(3, 'one');
    const frames = Array.from({ length: 200 }, (_, i) =>
      encodeEventFrame('x.Small', { i, d: Buffer.from([i & 0xff]) }, {}, 1 << 20),
    );
    for (const frame of frames) for (const p of peers) expect(p.queue.send(frame)).toBeUndefined();
    expect(peers.every((p) => p.writes.mock.calls.length === 0)).toBe(true); // nothing until the tick ends
    await tick();
    const first = chunksOf(peers[0]!);
    expect(first).toHaveLength(1);
    for (const p of peers) expect(chunksOf(p)).toEqual(first);
    for (const p of peers.slice(1)) expect(chunksOf(p)[0]).toBe(first[0]); // shared, not copied
    await vi.waitFor(() => expect(peers.every((p) => p.frames.length === 200)).toBe(true));
    for (const p of peers) {
      expect(p.frames.map((f) => (f as EventFrame).p)).toEqual(frames.map((_, i) => ({ i, d: { $b: 0 } })));
    }
  });

  it('writes large parts as they are, never copied, for each peer', async () => {
    const peers = await links(2, 'big');
    const big = Buffer.alloc(1024 * 1024, 7);
    const frame = encodeEventFrame('x.Big', { big }, {}, 1 << 21);
    for (const p of peers) expect(p.queue.send(frame)).toBeUndefined();
    for (const p of peers)
      expect(p.queue.send(wholeFrame(encodeFrame({ k: 'ack', seq: 1 }, 1024)))).toBeUndefined();
    await tick();
    for (const p of peers) {
      const chunks = chunksOf(p);
      expect(chunks).toContain(big); // the caller's buffer itself
      expect(chunks).toHaveLength(3); // head, bytes, ack
    }
    await vi.waitFor(() => expect(peers.every((p) => p.frames.length === 2)).toBe(true));
    for (const p of peers) {
      expect((p.frames[0] as EventFrame).bin![0]!.equals(big)).toBe(true);
      expect(p.frames[1]).toEqual({ k: 'ack', seq: 1 });
    }
  });

  it('writes a long synchronous run in batches while it is produced, and counts the batch as backlog', async () => {
    const [p] = await links(1, 'run');
    const frame = encodeEventFrame('x.Small', { s: 'x'.repeat(1000) }, {}, 1 << 20);
    let written = 0;
    for (let i = 0; i < 200; i++) {
      expect(p!.queue.send(frame)).toBeUndefined();
      written += frame.bytes;
    }
    // about 200 KB sent synchronously: flushed in 64 KB batches without waiting for the tick
    expect(p!.writes.mock.calls.length).toBeGreaterThanOrEqual(2);
    const flushed = chunksOf(p!).reduce<number>((n, c) => n + (c as Buffer).length, 0);
    expect(p!.queue.backlog).toBeGreaterThanOrEqual(written - flushed);
    await tick();
    await vi.waitFor(() => expect(p!.frames).toHaveLength(200));
  });

  it('still writes what it took this tick when closed, then takes nothing more', async () => {
    const [p] = await links(1, 'close');
    expect(p!.queue.send(wholeFrame(encodeFrame({ k: 'ack', seq: 7 }, 1024)))).toBeUndefined();
    p!.queue.close();
    expect(p!.queue.send(wholeFrame(encodeFrame({ k: 'ack', seq: 8 }, 1024)))).toBeUndefined();
    await tick();
    await vi.waitFor(() => expect(p!.frames).toEqual([{ k: 'ack', seq: 7 }]));
    expect(p!.writes.mock.calls).toHaveLength(1);
  });
});
