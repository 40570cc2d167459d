// Endpoints in one process, over real Unix sockets.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BaseEvent,
  BroadcastConfig,
  Endpoint,
  isBusConfigError,
  isBusTimeoutError,
  isConnectionRejectedError,
  isEndpointClosedError,
  isNoSubscribersError,
  isSubscriberError,
  isUnregisteredEventError,
} from '../../src/bus/net/index.js';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import { Dog, Echo, Echoed, Note, Ping } from './fixtures/events.js';
import { eventually, socketDir } from './fixtures/puppets.js';

const sockets = socketDir();
const open: Endpoint[] = [];

async function serve(
  name: string,
  options: Parameters<typeof Endpoint.serve>[0] extends infer C ? Partial<C> : never = {},
): Promise<Endpoint> {
  const ep = await Endpoint.serve({ name, path: sockets.path(name), ...options });
  open.push(ep);
  return ep;
}

async function client(name: string, ...servers: Endpoint[]): Promise<Endpoint> {
  const ep = await new Endpoint(name).run();
  open.push(ep);
  await ep.connectToEndpoints(...servers.map((s) => s.connectionConfig!));
  return ep;
}

function errorsOf(ep: Endpoint): GolemRxError[] {
  const out: GolemRxError[] = [];
  ep.errors$.subscribe({ next: (e) => void out.push(e) });
  return out;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((ep) => ep.close()));
});
afterAll(() => sockets.remove());

describe('Endpoint: sockets and lifecycle', () => {
  it('creates its socket with mode 0600 and removes it on close', async () => {
    const ep = await serve('s1');
    const path = sockets.path('s1');
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect([ep.isServing, ep.ipcPath]).toEqual([true, path]);
    await ep.close();
    expect(existsSync(path)).toBe(false);
    expect(ep.isRunning).toBe(false);
  });

  it('replaces a stale socket file, refuses a live one, a regular file and a long path', async () => {
    const path = sockets.path('stale');
    // a process that listened and died without closing leaves its socket file behind
    execFileSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`,
    ]);
    expect(statSync(path).isSocket()).toBe(true);
    writeFileSync(sockets.path('plain'), 'x');
    const ep = await serve('stale');
    expect(ep.isServing).toBe(true);
    await expect(Endpoint.serve({ name: 'other', path })).rejects.toSatisfy(isBusConfigError);
    await expect(Endpoint.serve({ name: 'plain', path: sockets.path('plain') })).rejects.toThrow(
      /not a socket/,
    );
    await expect(
      Endpoint.serve({ name: 'long', path: `${sockets.dir}/${'x'.repeat(120)}.sock` }),
    ).rejects.toThrow(/limit is 103/);
  });

  it('rejects operations before run and after close, and bad names', async () => {
    const ep = new Endpoint('idle');
    await expect(ep.broadcast(new Ping(1))).rejects.toSatisfy(isEndpointClosedError);
    await ep.run();
    await expect(ep.run()).rejects.toSatisfy(isBusConfigError);
    await ep.close();
    await expect(ep.subscribe(Ping, () => undefined)).rejects.toSatisfy(isEndpointClosedError);
    expect(() => ep.broadcastNowait(new Ping(1))).toThrow(expect.toSatisfy(isEndpointClosedError));
    await expect(ep.waitUntilConnectedTo('x')).rejects.toSatisfy(isEndpointClosedError);
    expect(() => new Endpoint('no/slash')).toThrow(expect.toSatisfy(isBusConfigError));
  });

  it('closes with `await using`', async () => {
    const path = sockets.path('scoped');
    {
      await using ep = await Endpoint.serve({ name: 'scoped', path });
      expect(existsSync(path)).toBe(ep.isServing);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('refuses duplicate connections and keeps dialling until the socket appears', async () => {
    const s = await serve('dup');
    const c = await client('c-dup', s);
    await expect(c.connectToEndpoints(s.connectionConfig!)).rejects.toSatisfy(isConnectionRejectedError);
    // a second endpoint with the same name as a connected one is refused by the server
    const twin = await new Endpoint('c-dup').run();
    open.push(twin);
    await expect(twin.connectToEndpoints(s.connectionConfig!)).rejects.toThrow(/already connected/);

    const late = new Endpoint('late-client', { connectTimeout: 10_000 });
    open.push(await late.run());
    const connecting = late.connectToEndpoints({ name: 'late', path: sockets.path('late') });
    await new Promise((r) => setTimeout(r, 30));
    await serve('late');
    await connecting;
    expect(late.isConnectedTo('late')).toBe(true);

    const never = await new Endpoint('never', { connectTimeout: 100 }).run();
    open.push(never);
    await expect(never.connectToEndpoints({ name: 'ghost', path: sockets.path('ghost') })).rejects.toSatisfy(
      isBusTimeoutError,
    );

    const closing = await new Endpoint('closing').run();
    const dialling = closing.connectToEndpoints({ name: 'ghost', path: sockets.path('ghost') });
    await closing.close();
    await expect(dialling).rejects.toSatisfy(isEndpointClosedError);
  });

  it('gives up reconnecting after maxAttempts and says so on errors$', async () => {
    const s = await serve('gone');
    const c = await new Endpoint('left', {
      reconnect: { initialDelay: 5, maxDelay: 5, maxAttempts: 2 },
    }).run();
    open.push(c);
    const errors = errorsOf(c);
    await c.connectToEndpoints(s.connectionConfig!);
    await s.close();
    await eventually(() => errors.length === 1);
    expect(isConnectionRejectedError(errors[0]) && errors[0].context).toEqual({
      endpoint: 'gone',
      reason: 'reconnection gave up after 2 attempts',
    });
    expect(c.isConnectedTo('gone')).toBe(false);
  });
});

describe('Endpoint: routing', () => {
  it('delivers a broadcast to local subscribers too, and internal ones only locally', async () => {
    const s = await serve('r1');
    const c = await client('r1c', s);
    const local: number[] = [];
    const remote: number[] = [];
    await s.subscribe(Ping, (p) => void local.push(p.n));
    await c.subscribe(Ping, (p) => void remote.push(p.n));
    await s.broadcast(new Ping(1));
    await s.broadcast(new Ping(2), new BroadcastConfig({ internal: true }));
    await s.broadcast(new Ping(3), new BroadcastConfig({ filterEndpoint: 'r1' }));
    await s.broadcast(new Ping(4), new BroadcastConfig({ filterEndpoint: 'r1c' }));
    await eventually(() => remote.length === 2);
    expect(local).toEqual([1, 2, 3]);
    expect(remote).toEqual([1, 4]);
  });

  it('raises NoSubscribers exactly when nobody would receive the event', async () => {
    const s = await serve('ns');
    const c = await client('nsc', s);
    const required = new BroadcastConfig({ requireSubscriber: true });
    await expect(s.broadcast(new Ping(1), required)).rejects.toSatisfy(isNoSubscribersError);
    await expect(s.broadcast(new Ping(1))).resolves.toBeUndefined(); // not required: fine
    const sub = await c.subscribe(Ping, () => undefined);
    await expect(s.broadcast(new Ping(2), required)).resolves.toBeUndefined(); // lahja's inverted check raised here
    await expect(
      s.broadcast(new Ping(2), new BroadcastConfig({ requireSubscriber: true, internal: true })),
    ).rejects.toSatisfy(isNoSubscribersError);
    sub.unsubscribe();
    await s.waitUntilEndpointSubscriptionsChange({ timeout: 5_000 });
    expect(s.isAnyEndpointSubscribedTo(Ping)).toBe(false);
    await c.subscribe(Ping, () => undefined);
    expect(() =>
      s.broadcastNowait(new Ping(3), new BroadcastConfig({ filterEndpoint: 'nsc', requireSubscriber: true })),
    ).not.toThrow();
    expect(() =>
      s.broadcastNowait(
        new Note('n'),
        new BroadcastConfig({ filterEndpoint: 'nsc', requireSubscriber: true }),
      ),
    ).toThrow(expect.toSatisfy(isNoSubscribersError));
  });

  it('refuses to send an unregistered event out, but delivers it internally', async () => {
    class Local extends BaseEvent {}
    const s = await serve('ur');
    const got: Local[] = [];
    await s.subscribe(Local, (e) => void got.push(e));
    await expect(s.broadcast(new Local())).rejects.toSatisfy(isUnregisteredEventError);
    await s.broadcast(new Local(), new BroadcastConfig({ internal: true }));
    expect(got).toHaveLength(1);
    expect(() => s.isAnyEndpointSubscribedTo(Local)).toThrow(expect.toSatisfy(isUnregisteredEventError));
  });

  it('answers a local request internally, one handler only', async () => {
    const s = await serve('lr');
    let calls = 0;
    for (let i = 0; i < 2; i++) {
      await s.subscribe(Echo, (req) => {
        calls++;
        return s.broadcast(new Echoed(req.text, `h${i}`), req.broadcastConfig({ internal: true }));
      });
    }
    const res = await s.request(new Echo('me'), { config: new BroadcastConfig({ internal: true }) });
    expect([res.by, calls]).toEqual(['h0', 1]);
  });

  it('reports a failing handler and still feeds the others', async () => {
    const s = await serve('hf');
    const errors = errorsOf(s);
    const got: string[] = [];
    await s.subscribe(Dog, () => {
      throw new Error('boom');
    });
    await s.subscribe(Dog, async () => Promise.reject(new Error('async boom')));
    await s.subscribe(Dog, (d) => void got.push(d.name));
    await s.broadcast(new Dog('rex'));
    await eventually(() => errors.length === 2);
    expect(got).toEqual(['rex']);
    expect(errors.every(isSubscriberError)).toBe(true);
    expect(errors.map((e) => (e.cause as Error).message).sort()).toEqual(['async boom', 'boom']);
  });
});

describe('Endpoint: stream and waitFor', () => {
  it('streams n events then completes; advertises while subscribed', async () => {
    const s = await serve('st');
    const c = await client('stc', s);
    const seen: number[] = [];
    const done = new Promise<void>((resolve) =>
      c.stream(Ping, { numEvents: 2 }).subscribe({ next: (p) => void seen.push(p.n), complete: resolve }),
    );
    await s.waitUntilEndpointSubscribedTo('stc', Ping, { timeout: 5_000 });
    for (let n = 1; n <= 3; n++) await s.broadcast(new Ping(n));
    await done;
    expect(seen).toEqual([1, 2]);
    await eventually(() => !s.isEndpointSubscribedTo('stc', Ping));
  });

  it('waitFor resolves with the next event, and rejects when the endpoint closes', async () => {
    const s = await serve('wf');
    const next = s.waitFor(Note);
    await s.broadcast(new Note('hello'), new BroadcastConfig({ internal: true }));
    await expect(next).resolves.toMatchObject({ text: 'hello', origin: 'wf' });
    const orphan = s.waitFor(Note);
    const completed = new Promise<boolean>((resolve) =>
      s.stream(Note).subscribe({ complete: () => resolve(true) }),
    );
    await s.close();
    await expect(orphan).rejects.toSatisfy(isEndpointClosedError);
    await expect(completed).resolves.toBe(true);
  });
});
