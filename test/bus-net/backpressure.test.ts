// Per-peer send queues: a peer that stops reading delays only its own frames, the bounded
// broadcastNowait queue applies its overflow policy, and a stalled peer is cut after slowPeerTimeout.
import { VirtualTimeScheduler } from 'rxjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BroadcastConfig,
  Endpoint,
  isBroadcastOverflowError,
  isSlowPeerError,
  type EndpointOptions,
  type OverflowPolicy,
} from '../../src/bus/net/index.js';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import { Note } from './fixtures/events.js';
import { eventually, socketDir } from './fixtures/puppets.js';
import { rawClient, type RawClient } from './fixtures/raw.js';

const sockets = socketDir();
const open: Endpoint[] = [];
const raws: RawClient[] = [];
/** Bigger than any kernel socket buffer, so an unread frame keeps the socket asking for a drain. */
const BIG = 2 * 1024 * 1024;

afterEach(async () => {
  for (const r of raws.splice(0)) r.socket.destroy();
  await Promise.all(open.splice(0).map((e) => e.close()));
});
afterAll(() => sockets.remove());

async function setup(
  name: string,
  options: EndpointOptions,
): Promise<{ server: Endpoint; slow: RawClient; errors: GolemRxError[] }> {
  const server = await Endpoint.serve({
    name,
    path: sockets.path(name),
    maxFrameBytes: 64 * 1024 * 1024,
    ...options,
  });
  open.push(server);
  const errors: GolemRxError[] = [];
  server.errors$.subscribe({ next: (e) => void errors.push(e) });
  const slow = await rawClient(sockets.path(name), 'slow', ['test.Note']);
  raws.push(slow);
  slow.socket.pause(); // stops reading: its socket fills up
  await eventually(() => server.isEndpointSubscribedTo('slow', Note));
  return { server, slow, errors };
}

function note(i: number): Note {
  return new Note(`${i}:`.padEnd(BIG, '.'));
}

function indices(raw: RawClient): number[] {
  return raw.frames.flatMap((f) =>
    f.k === 'ev' ? [Number(String((f.p as { text: string }).text).split(':')[0])] : [],
  );
}

describe.each<[OverflowPolicy, number[]]>([
  ['drop-newest', [1, 2, 3, 4]],
  ['drop-oldest', [1, 8, 9, 10]],
])('broadcastNowait with %s', (overflow, delivered) => {
  it('keeps a bounded queue per peer and reports each dropped frame', async () => {
    const { server, slow, errors } = await setup(`nw-${overflow}`, {
      nowaitQueue: { maxFrames: 3, overflow },
    });
    for (let i = 1; i <= 10; i++) server.broadcastNowait(note(i));
    // frame 1 sits in the socket, three wait in the queue, six overflowed
    expect(errors).toHaveLength(6);
    expect(errors.every(isBroadcastOverflowError)).toBe(true);
    expect(errors[0]).toMatchObject({
      context: { peer: 'slow', eventType: 'test.Note', policy: overflow, limit: 3 },
    });
    slow.socket.resume();
    await eventually(() => slow.frames.filter((f) => f.k === 'ev').length === 4);
    expect(indices(slow)).toEqual(delivered);
  });
});

describe('backpressure', () => {
  it("throws under the 'error' policy and sends that event nowhere", async () => {
    const { server } = await setup('nw-error', { nowaitQueue: { maxFrames: 1, overflow: 'error' } });
    const fast = await new Endpoint('fast').run();
    open.push(fast);
    await fast.connectToEndpoints(server.connectionConfig!);
    const got: string[] = [];
    await fast.subscribe(Note, (n) => void got.push(n.text.split(':')[0]!));
    server.broadcastNowait(note(1)); // in the slow socket
    server.broadcastNowait(note(2)); // queued
    await eventually(() => got.length === 2); // the fast peer's queue is empty again, the slow one's full
    expect(() => server.broadcastNowait(note(3))).toThrow(expect.toSatisfy(isBroadcastOverflowError));
    server.broadcastNowait(new Note('4:'), new BroadcastConfig({ filterEndpoint: 'fast' }));
    await eventually(() => got.length === 3);
    expect(got).toEqual(['1', '2', '4']);
  });

  it('lets one slow peer stall no one else, then cuts it after slowPeerTimeout', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { server, errors } = await setup('stall', { scheduler, slowPeerTimeout: 2_000 });
    const fast = await new Endpoint('fast2').run();
    open.push(fast);
    await fast.connectToEndpoints(server.connectionConfig!);
    const got: string[] = [];
    await fast.subscribe(Note, (n) => void got.push(n.text.split(':')[0]!));

    let settled = false;
    const sent = Promise.all([1, 2, 3].map((i) => server.broadcast(note(i)))).then(() => (settled = true));
    await eventually(() => got.length === 3); // the fast peer has everything...
    expect(settled).toBe(false); // ...while the broadcasts still wait for the slow one to drain

    scheduler.flush(); // 2 s of virtual time without a drain
    await sent;
    expect(scheduler.now()).toBe(2_000);
    expect(errors.filter(isSlowPeerError).map((e) => e.context.peer)).toEqual(['slow']);
    await eventually(() => !server.isConnectedTo('slow'));
    expect(server.isConnectedTo('fast2')).toBe(true);
  });
});
