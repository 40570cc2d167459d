// The bus across real processes: this test process hosts the hub endpoint, puppet children
// (`node --import tsx fixtures/puppet.ts`) host the others.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BroadcastConfig,
  Endpoint,
  isNoSubscribersError,
  isRemoteDisconnectedError,
  isRequestTimeoutError,
  isUnexpectedResponseError,
  type BaseEvent,
} from '../../src/bus/net/index.js';
import { BadEcho, Echo, Echoed, Note, Ping, Puppy } from './fixtures/events.js';
import { Puppet, eventually, killAllPuppets, socketDir } from './fixtures/puppets.js';

interface Received {
  readonly sub: number;
  readonly type: string;
  readonly origin: string | undefined;
  readonly fields: Record<string, unknown>;
}

const sockets = socketDir();
const hubPath = sockets.path('hub');
let hub: Endpoint;
let a: Puppet;
let b: Puppet;
/** Child endpoints opened by the current test: [puppet, name]. */
let opened: [Puppet, string][] = [];
let round = 0;

async function clientIn(puppet: Puppet, base: string): Promise<string> {
  const name = `${base}${round}`;
  await puppet.call('client', { name });
  opened.push([puppet, name]);
  await puppet.call('connect', { ep: name, configs: [{ name: 'hub', path: hubPath }] });
  return name;
}

function received(puppet: Puppet, ep: string): Promise<Received[]> {
  return puppet.call<Received[]>('received', { ep });
}

function collect<E extends BaseEvent>(cls: abstract new (...args: never[]) => E): E[] {
  const out: E[] = [];
  void hub.subscribe(cls, (e) => void out.push(e));
  return out;
}

beforeAll(async () => {
  [a, b, hub] = await Promise.all([
    Puppet.spawn('a'),
    Puppet.spawn('b'),
    Endpoint.serve({ name: 'hub', path: hubPath }),
  ]);
});

afterEach(async () => {
  await Promise.all(opened.map(([p, ep]) => p.call('close', { ep }).catch(() => undefined)));
  opened = [];
  await hub.close();
  hub = await Endpoint.serve({ name: 'hub', path: hubPath });
  round++;
});

afterAll(async () => {
  await hub.close();
  await killAllPuppets();
  sockets.remove();
});

describe('bus across processes', () => {
  it('broadcasts to every subscribed child, in order, with the origin bound', async () => {
    const [a1, b1] = await Promise.all([clientIn(a, 'a'), clientIn(b, 'b')]);
    await Promise.all([
      a.call('subscribe', { ep: a1, type: 'Ping', mode: 'record' }),
      b.call('subscribe', { ep: b1, type: 'Ping', mode: 'record' }),
    ]);
    // subscribe resolved after the hub acknowledged: no wait needed before broadcasting
    expect(hub.isEndpointSubscribedTo(a1, Ping) && hub.isEndpointSubscribedTo(b1, Ping)).toBe(true);

    for (let n = 1; n <= 3; n++) await hub.broadcast(new Ping(n));

    for (const [p, ep] of [
      [a, a1],
      [b, b1],
    ] as const) {
      await eventually(async () => (await received(p, ep)).length === 3);
      const got = await received(p, ep);
      expect(got.map((r) => r.fields.n)).toEqual([1, 2, 3]);
      expect(got.every((r) => r.origin === 'hub' && r.type === 'Ping')).toBe(true);
    }
  });

  it('delivers subclasses to subscribers of the base class, and nothing unsubscribed', async () => {
    const a1 = await clientIn(a, 'a');
    await a.call('subscribe', { ep: a1, type: 'Animal', mode: 'record' });
    expect(hub.isEndpointSubscribedTo(a1, Puppy)).toBe(true);
    expect(hub.isEndpointSubscribedTo(a1, Note)).toBe(false);
    await expect(
      hub.broadcast(new Note('nobody'), new BroadcastConfig({ requireSubscriber: true })),
    ).rejects.toSatisfy(isNoSubscribersError);
    await hub.broadcast(new Puppy('rex'));
    await eventually(async () => (await received(a, a1)).length === 1);
    expect((await received(a, a1))[0]).toMatchObject({
      type: 'Puppy',
      fields: { name: 'rex', kind: 'puppy' },
    });
  });

  it('sends a targeted broadcast to its target only', async () => {
    const [a1, b1] = await Promise.all([clientIn(a, 'a'), clientIn(b, 'b')]);
    await Promise.all([
      a.call('subscribe', { ep: a1, type: 'Ping', mode: 'record' }),
      b.call('subscribe', { ep: b1, type: 'Ping', mode: 'record' }),
    ]);

    await hub.broadcast(new Ping(7), new BroadcastConfig({ filterEndpoint: b1 }));
    // a sentinel to a1 only: frames on one connection arrive in order, so a stray 7 would precede it
    await hub.broadcast(new Ping(99), new BroadcastConfig({ filterEndpoint: a1 }));

    await eventually(
      async () => (await received(b, b1)).length === 1 && (await received(a, a1)).length === 1,
    );
    expect((await received(b, b1)).map((r) => r.fields.n)).toEqual([7]);
    expect((await received(a, a1)).map((r) => r.fields.n)).toEqual([99]);
    await expect(
      hub.broadcast(new Note('x'), new BroadcastConfig({ filterEndpoint: a1, requireSubscriber: true })),
    ).rejects.toSatisfy(isNoSubscribersError);
    await expect(
      hub.broadcast(new Ping(1), new BroadcastConfig({ filterEndpoint: 'nobody', requireSubscriber: true })),
    ).rejects.toSatisfy(isNoSubscribersError);
  });

  it('keeps internal events inside their endpoint', async () => {
    const a1 = await clientIn(a, 'a');
    await a.call('subscribe', { ep: a1, type: 'Ping', mode: 'record' });
    const hubPings = collect(Ping);
    const hubNotes = collect(Note);
    await a.call('call', { ep: a1, method: 'waitUntilEndpointSubscribedTo', args: ['hub', { cls: 'Note' }] });

    await a.call('broadcast', { ep: a1, event: { type: 'Ping', args: [5] }, config: { internal: true } });
    await a.call('broadcast', { ep: a1, event: { type: 'Note', args: ['after'] } });

    await eventually(() => hubNotes.length === 1);
    expect(hubPings).toEqual([]);
    expect(await received(a, a1)).toMatchObject([{ type: 'Ping', origin: a1, fields: { n: 5 } }]);
  });

  it('answers a request from exactly one responder, the target when given', async () => {
    const [a1, b1] = await Promise.all([clientIn(a, 'a'), clientIn(b, 'b')]);
    await a.call('subscribe', { ep: a1, type: 'Echo', mode: 'echo' });
    await b.call('subscribe', { ep: b1, type: 'Echo', mode: 'echo' });

    const first = await hub.request(new Echo('hi'), { timeout: 5_000 });
    expect(first).toBeInstanceOf(Echoed);
    expect(first.text).toBe('hi');
    const targeted = await hub.request(new Echo('you'), {
      timeout: 5_000,
      config: new BroadcastConfig({ filterEndpoint: b1 }),
    });
    expect(targeted.by).toBe(b1);

    const handled = [...(await received(a, a1)), ...(await received(b, b1))];
    expect(handled).toHaveLength(2); // two requests, each handled once, not by every subscriber

    // the other way round: a child asks, the hub answers
    await hub.subscribe(Echo, (req) =>
      hub.broadcast(new Echoed(req.text.toUpperCase(), 'hub'), req.broadcastConfig()),
    );
    await expect(
      a.call('request', {
        ep: a1,
        event: { type: 'Echo', args: ['up'] },
        config: { filterEndpoint: 'hub' },
        timeout: 5_000,
      }),
    ).resolves.toEqual({ type: 'Echoed', fields: { text: 'UP', by: 'hub' } });
  });

  it('rejects a response of the wrong type, and a request nobody serves', async () => {
    const a1 = await clientIn(a, 'a');
    await a.call('subscribe', { ep: a1, type: 'BadEcho', mode: 'badecho' });
    await expect(hub.request(new BadEcho(), { timeout: 5_000 })).rejects.toSatisfy(isUnexpectedResponseError);
    await expect(hub.request(new Echo('none'), { timeout: 5_000 })).rejects.toSatisfy(isNoSubscribersError);
  });

  it('times a request out', async () => {
    const a1 = await clientIn(a, 'a');
    await a.call('subscribe', { ep: a1, type: 'Echo', mode: 'echo' });
    const error: unknown = await hub
      .request(new Echo('slow', 3_000), { timeout: 50 })
      .catch((e: unknown) => e);
    expect(isRequestTimeoutError(error) && error.context).toMatchObject({
      target: a1,
      eventType: 'test.Echo',
      timeoutMs: 50,
    });
  });

  it('rejects pending requests with a typed error when the responder disconnects', async () => {
    const c = await Puppet.spawn('c');
    const c1 = await clientIn(c, 'c');
    await c.call('subscribe', { ep: c1, type: 'Echo', mode: 'echo' });
    const pending = hub.request(new Echo('never', 60_000), { timeout: 30_000 }).catch((e: unknown) => e);
    await eventually(async () => (await received(c, c1)).length === 1);
    await c.kill();
    const error = await pending;
    expect(isRemoteDisconnectedError(error) && error.context).toMatchObject({ endpoint: c1 });
    expect(hub.isConnectedTo(c1)).toBe(false);
  });

  it('waits for subscriptions and connections across processes', async () => {
    const a1 = await clientIn(a, 'a');
    const anyNote = hub.waitUntilAnyEndpointSubscribedTo(Note, { timeout: 10_000 });
    const a1Note = hub.waitUntilEndpointSubscribedTo(a1, Note, { timeout: 10_000 });
    const change = hub.waitUntilEndpointSubscriptionsChange({ timeout: 10_000 });
    const allNote = a.call('call', {
      ep: a1,
      method: 'waitUntilAllEndpointsSubscribedTo',
      args: [{ cls: 'Note' }, { timeout: 10_000 }],
    });
    await a.call('subscribe', { ep: a1, type: 'Note', mode: 'record' });
    await Promise.all([anyNote, a1Note, change]);
    expect(hub.getConnectedEndpointsAndSubscriptions()).toEqual([
      { name: a1, eventTypes: new Set(['test.Note']) },
    ]);
    expect(hub.areAllEndpointsSubscribedTo(Note, { includeSelf: false })).toBe(true);
    expect(hub.areAllEndpointsSubscribedTo(Note)).toBe(false); // the hub itself is not

    // a1 waits for every endpoint (the hub, and itself) to subscribe to Note
    const hubNotes = collect(Note);
    await allNote;
    expect(
      await a.call('call', { ep: a1, method: 'areAllEndpointsSubscribedTo', args: [{ cls: 'Note' }] }),
    ).toBe(true);
    expect(hubNotes).toEqual([]);

    const connections = hub.waitUntilConnectionsChange({ timeout: 10_000 });
    const b1 = await clientIn(b, 'b');
    await connections;
    await hub.waitUntilConnectedTo(b1, { timeout: 1_000 });
    expect(hub.isConnectedTo(b1)).toBe(true);
  });

  it('reconnects after the remote restarts, and sends the subscriptions again', async () => {
    const dPath = sockets.path('d');
    const client = await new Endpoint('rc', { reconnect: { initialDelay: 20, maxDelay: 200 } }).run();
    try {
      const d = await Puppet.spawn('d');
      await d.call('serve', { name: 'd', path: dPath });
      await client.connectToEndpoints({ name: 'd', path: dPath });
      const pings: number[] = [];
      await client.subscribe(Ping, (p) => void pings.push(p.n));
      await d.call('broadcast', { ep: 'd', event: { type: 'Ping', args: [1] } });
      await eventually(() => pings.length === 1);

      const gone = client.waitUntilConnectionsChange({ timeout: 10_000 });
      await d.kill();
      await gone;
      expect(client.isConnectedTo('d')).toBe(false);

      const d2 = await Puppet.spawn('d2');
      await d2.call('serve', { name: 'd', path: dPath }); // replaces the stale socket file
      await d2.call('call', {
        ep: 'd',
        method: 'waitUntilEndpointSubscribedTo',
        args: ['rc', { cls: 'Ping' }, { timeout: 10_000 }],
      });
      await d2.call('broadcast', { ep: 'd', event: { type: 'Ping', args: [2] } });
      await eventually(() => pings.length === 2);
      expect(pings).toEqual([1, 2]);
    } finally {
      await client.close();
    }
  });
});
