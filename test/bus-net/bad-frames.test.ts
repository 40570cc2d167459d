// What an endpoint does with frames it must not trust: drop them, report them, and keep or
// close the connection as documented (kept, except for an oversized length and pre-handshake junk).
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Endpoint, isFrameError, type FrameError } from '../../src/bus/net/index.js';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import { Ping } from './fixtures/events.js';
import { eventually, socketDir } from './fixtures/puppets.js';
import { rawClient } from './fixtures/raw.js';
import { encodeFrame } from '../../src/bus/net/wire/codec.js';

const sockets = socketDir();
let server: Endpoint;
let errors: GolemRxError[];
let pings: number[];

beforeEach(async () => {
  server = await Endpoint.serve({ name: 'srv', path: sockets.path('srv'), maxFrameBytes: 4096 });
  errors = [];
  pings = [];
  server.errors$.subscribe({ next: (e) => void errors.push(e) });
  await server.subscribe(Ping, (p) => void pings.push(p.n));
});
afterEach(() => server.close());
afterAll(() => sockets.remove());

function kinds(): string[] {
  return errors.filter(isFrameError).map((e: FrameError) => e.context.kind);
}

describe('bad frames', () => {
  it('drops garbage, malformed frames, unknown types and bad payloads, and keeps the connection', async () => {
    const raw = await rawClient(sockets.path('srv'), 'raw');
    raw.sendBody(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    raw.sendBody('{"k":"ev","t":"test.Ping","p":{"n":1}'); // truncated JSON
    raw.sendBody('{"k":"ev","t":"no such tag!","p":{}}');
    raw.send({ k: 'ev', t: 'test.Unknown', p: {} });
    raw.send({ k: 'ev', t: 'test.Ping', p: { n: 'one' } });
    raw.sendBody('{"k":"ev","t":"test.Ping","p":{"n":2,"__proto__":{"polluted":true}}}'); // inert data
    await eventually(() => pings.length === 1);
    expect(pings).toEqual([2]);
    expect(kinds()).toEqual(['garbage', 'garbage', 'invalid-frame', 'unknown-type', 'invalid-payload']);
    const [unknown, payload] = errors.slice(3) as FrameError[];
    expect(unknown!.context).toMatchObject({ peer: 'raw', eventType: 'test.Unknown', direction: 'in' });
    expect(payload!.context).toMatchObject({ peer: 'raw', eventType: 'test.Ping', field: 'payload.n' });
    expect(server.isConnectedTo('raw')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    raw.socket.destroy();
  });

  it('answers an undecodable request with nores, so the requester fails fast', async () => {
    const raw = await rawClient(sockets.path('srv'), 'raw2');
    raw.send({ k: 'ev', t: 'test.Unknown', p: {}, req: 'raw2:1' });
    await eventually(() => raw.frames.some((f) => f.k === 'nores'));
    expect(raw.frames.find((f) => f.k === 'nores')).toEqual({ k: 'nores', re: 'raw2:1' });
    raw.socket.destroy();
  });

  it('closes the connection on an oversized length', async () => {
    const raw = await rawClient(sockets.path('srv'), 'raw3');
    expect(server.isConnectedTo('raw3')).toBe(true);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1 << 30);
    raw.sendRaw(head);
    await raw.closed;
    await eventually(() => !server.isConnectedTo('raw3'));
    expect(kinds()).toEqual(['oversized']);
    expect((errors[0] as FrameError).context).toMatchObject({ size: 1 << 30, peer: 'raw3' });
  });

  it('closes a connection that sends anything but hello first, or nothing at all', async () => {
    const { createConnection } = await import('node:net');
    const junk = createConnection(sockets.path('srv'));
    junk.on('error', () => undefined);
    const closed = new Promise((r) => junk.once('close', r));
    junk.write(encodeFrame({ k: 'ev', t: 'test.Ping', p: { n: 9 } }, 1024));
    await closed;
    expect(kinds()).toEqual(['protocol']);
    expect(pings).toEqual([]);

    const quick = await Endpoint.serve({ name: 'hs', path: sockets.path('hs'), handshakeTimeout: 50 });
    try {
      const silent = createConnection(sockets.path('hs'));
      silent.on('error', () => undefined);
      await new Promise((r) => silent.once('close', r));
      expect(quick.getConnectedEndpointsAndSubscriptions()).toEqual([]);
    } finally {
      await quick.close();
    }
  });

  it('refuses a hello of another protocol version, carrying its own name or a taken one', async () => {
    await expect(rawClient(sockets.path('srv'), 'future', [], 2)).rejects.toThrow(
      /protocol version 2 is not 1/,
    );
    await expect(rawClient(sockets.path('srv'), 'srv')).rejects.toThrow(/handshake refused.*own/);
    const first = await rawClient(sockets.path('srv'), 'same');
    await expect(rawClient(sockets.path('srv'), 'same')).rejects.toThrow(/already connected/);
    first.socket.destroy();
  });
});
