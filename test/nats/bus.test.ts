/**
 * The bus on NATS (`Endpoint.connectNats`), endpoints in this process each on its own NATS
 * connection to a real nats-server: the Unix-socket bus's shapes (broadcast, subscribe, stream,
 * waitFor, one-responder requests and their failures, `BroadcastConfig` routing, connection and
 * subscription state), bytes past NATS's max_payload, rogue messages, a name taken, a wrong
 * token, and the server restarting under the endpoints.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { firstValueFrom, take, takeWhile, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BroadcastConfig,
  Endpoint,
  type BaseEvent,
  type EventClass,
  isBusConfigError,
  isBusTimeoutError,
  isConnectionRejectedError,
  isEndpointClosedError,
  isFrameError,
  isNoSubscribersError,
  isRemoteDisconnectedError,
  isRequestTimeoutError,
  isUnexpectedResponseError,
  type NatsEndpoint,
  type NatsEndpointConfig,
} from '../../src/bus/net/index.js';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import { isNatsConnectionError } from '../../src/nats.js';
import { encodeEventFrame, encodeFrame } from '../../src/bus/net/wire/codec.js';
import { Animal, BadEcho, Bytes, Dog, Echo, Echoed, Note, Ping, Puppy } from '../bus-net/fixtures/events.js';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';

describe.runIf(!hasNatsServer && natsServerRequired)('the bus on NATS in CI', () => {
  it('has a nats-server (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

/** Every endpoint a test opened, closed after it. */
const open: Endpoint[] = [];
let server: NatsServerHandle;
/** Each test on its own bus (subject prefix), so that endpoints of earlier tests never meet. */
let bus = 0;

async function endpoint(name: string, options: Partial<NatsEndpointConfig> = {}): Promise<NatsEndpoint> {
  const ep = await Endpoint.connectNats({
    name,
    servers: server.url,
    subjectPrefix: `t.bus${bus}`,
    heartbeatInterval: 250,
    reconnectTimeWaitMs: 50,
    ...options,
  });
  open.push(ep);
  return ep;
}

/** Endpoints that see each other (every handshake complete). */
async function endpoints<const N extends readonly string[]>(
  ...names: N
): Promise<{ -readonly [K in keyof N]: NatsEndpoint }> {
  const eps = await Promise.all(names.map((n) => endpoint(n)));
  await Promise.all(
    eps.map((ep) =>
      ep.connectToEndpoints(...names.filter((n) => n !== ep.name).map((n) => ({ name: n, path: '' }))),
    ),
  );
  return eps as { -readonly [K in keyof N]: NatsEndpoint };
}

function errorsOf(ep: Endpoint): GolemRxError[] {
  const errors: GolemRxError[] = [];
  ep.errors$.subscribe({ next: (e) => void errors.push(e) });
  return errors;
}

async function collect<E extends BaseEvent>(ep: Endpoint, cls: EventClass<E>): Promise<E[]> {
  const out: E[] = [];
  await ep.subscribe(cls, (e) => void out.push(e));
  return out;
}

/** A raw NATS client on the test's bus, to play a rogue or broken endpoint. */
async function rawClient(): Promise<NatsConnection> {
  return connect({ servers: server.url });
}

/** A whole-frames bus message (kind byte 0, then socket frames). */
function busMessage(...frames: Uint8Array[]): Uint8Array {
  const total = frames.reduce((n, f) => n + f.byteLength, 0);
  const out = new Uint8Array(1 + total);
  let at = 1;
  for (const f of frames) {
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

describe.skipIf(!hasNatsServer)('the bus on NATS', () => {
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((ep) => ep.close()));
    bus++;
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('broadcast and subscribe', () => {
    it('delivers to every subscribed endpoint in order, its own subscribers included, origin bound', async () => {
      const [a, b, c] = await endpoints('a', 'b.dotted', 'c');
      const atB = await collect(b, Ping);
      const atC = await collect(c, Ping);
      const atA = await collect(a, Ping);
      expect(a.isEndpointSubscribedTo('b.dotted', Ping) && a.isEndpointSubscribedTo('c', Ping)).toBe(true);
      for (let n = 1; n <= 5; n++) await a.broadcast(new Ping(n));
      await expect.poll(() => atB.length + atC.length).toBe(10);
      expect(atB.map((p) => p.n)).toEqual([1, 2, 3, 4, 5]);
      expect(atC.map((p) => p.n)).toEqual([1, 2, 3, 4, 5]);
      expect(atA.map((p) => p.n)).toEqual([1, 2, 3, 4, 5]);
      expect(atB.every((p) => p.origin === 'a' && p instanceof Ping)).toBe(true);
    });

    it('sends only to subscribers, subclasses to subscribers of the base, and rejects with requireSubscriber', async () => {
      const [a, b] = await endpoints('a', 'b');
      const animals = await collect(b, Animal);
      expect(a.isEndpointSubscribedTo('b', Dog) && a.isEndpointSubscribedTo('b', Puppy)).toBe(true);
      expect(a.isEndpointSubscribedTo('b', Note)).toBe(false);
      await expect(
        a.broadcast(new Note('nobody'), new BroadcastConfig({ requireSubscriber: true })),
      ).rejects.toSatisfy(isNoSubscribersError);
      await a.broadcast(new Puppy('rex'));
      await a.broadcast(new Dog('fido'));
      await expect.poll(() => animals.length).toBe(2);
      expect(animals[0]).toBeInstanceOf(Puppy);
      expect(animals.map((x) => (x as Dog).name)).toEqual(['rex', 'fido']);
    });

    it('stops delivering after unsubscribe, and the sender learns of it', async () => {
      const [a, b] = await endpoints('a', 'b');
      const got: number[] = [];
      const sub = await b.subscribe(Ping, (p) => void got.push(p.n));
      await a.broadcast(new Ping(1));
      await expect.poll(() => got).toEqual([1]);
      const changed = a.waitUntilEndpointSubscriptionsChange({ timeout: 5_000 });
      sub.unsubscribe();
      await changed;
      expect(a.isEndpointSubscribedTo('b', Ping)).toBe(false);
      await expect(
        a.broadcast(new Ping(2), new BroadcastConfig({ requireSubscriber: true })),
      ).rejects.toSatisfy(isNoSubscribersError);
    });

    it('streams events as an Observable and waits for the next one', async () => {
      const [a, b] = await endpoints('a', 'b');
      const three = firstValueFrom(b.stream(Ping, { numEvents: 3 }).pipe(toArray()));
      await a.waitUntilEndpointSubscribedTo('b', Ping, { timeout: 5_000 });
      const next = b.waitFor(Note, { timeout: 10_000 });
      await a.waitUntilEndpointSubscribedTo('b', Note, { timeout: 5_000 });
      for (let n = 1; n <= 3; n++) await a.broadcast(new Ping(n));
      await a.broadcast(new Note('hello'));
      expect((await three).map((p) => p.n)).toEqual([1, 2, 3]);
      expect((await next).text).toBe('hello');
      await expect(b.waitFor(Note, { timeout: 20 })).rejects.toSatisfy(isBusTimeoutError);
    });

    it('bounds broadcastNowait and still delivers what it accepted', async () => {
      const [a, b] = await endpoints('a', 'b');
      const got = await collect(b, Ping);
      for (let n = 0; n < 1_000; n++) a.broadcastNowait(new Ping(n));
      await expect.poll(() => got.length).toBe(1_000);
      expect(got.map((p) => p.n)).toEqual([...Array(1_000).keys()]);
    });
  });

  describe('bytes', () => {
    it('carries a 1 MB payload, and one of 3 MB (past max_payload, in parts), byte for byte', async () => {
      const [a, b] = await endpoints('a', 'b');
      const got = await collect(b, Bytes);
      const oneMb = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
      const threeMb = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 7) % 253);
      await a.broadcast(new Bytes('1mb', oneMb));
      await a.broadcast(new Bytes('small', new Uint8Array([1, 2, 3])));
      await a.broadcast(new Bytes('3mb', threeMb));
      await expect.poll(() => got.length, { timeout: 10_000 }).toBe(3);
      const [one, small, three] = got;
      expect(one!.label).toBe('1mb');
      expect(Buffer.compare(one!.data, oneMb)).toBe(0);
      expect([...small!.data]).toEqual([1, 2, 3]);
      expect(Buffer.compare(three!.data, threeMb)).toBe(0);
    });

    it("drops a frame above the receiver's maxFrameBytes, reporting it, and goes on", async () => {
      const a = await endpoint('a');
      const b = await endpoint('b', { maxFrameBytes: 64 * 1024 });
      await a.connectToEndpoints({ name: 'b', path: '' });
      const errors = errorsOf(b);
      const got = await collect(b, Bytes);
      await a.broadcast(new Bytes('big', new Uint8Array(2 * 1024 * 1024)));
      await a.broadcast(new Bytes('ok', new Uint8Array(10)));
      await expect.poll(() => got.map((e) => e.label)).toEqual(['ok']);
      expect(errors.some((e) => isFrameError(e) && e.context.kind === 'oversized')).toBe(true);
    });
  });

  describe('request / response', () => {
    it('goes to exactly one responder, the target when given, and back the other way', async () => {
      const [a, b, c] = await endpoints('a', 'b', 'c');
      const handled: string[] = [];
      for (const ep of [b, c]) {
        await ep.subscribe(Echo, (req) => {
          handled.push(ep.name);
          return ep.broadcast(new Echoed(req.text, ep.name), req.broadcastConfig());
        });
      }
      const first = await a.request(new Echo('hi'), { timeout: 5_000 });
      expect(first).toBeInstanceOf(Echoed);
      expect(first.text).toBe('hi');
      const targeted = await a.request(new Echo('you'), {
        timeout: 5_000,
        config: new BroadcastConfig({ filterEndpoint: 'c' }),
      });
      expect(targeted.by).toBe('c');
      expect(handled).toHaveLength(2);
      expect(handled[1]).toBe('c');

      await a.subscribe(Echo, (req) =>
        a.broadcast(new Echoed(req.text.toUpperCase(), 'a'), req.broadcastConfig()),
      );
      const fromB = await b.request(new Echo('up'), {
        timeout: 5_000,
        config: new BroadcastConfig({ filterEndpoint: 'a' }),
      });
      expect(fromB).toMatchObject({ text: 'UP', by: 'a' });
    });

    it('rejects typed: nobody serves it, a wrong response type, a timeout, a target without a handler', async () => {
      const [a, b] = await endpoints('a', 'b');
      await expect(a.request(new Echo('none'), { timeout: 5_000 })).rejects.toSatisfy(isNoSubscribersError);
      await b.subscribe(BadEcho, (req) => b.broadcast(new Ping(-1), req.broadcastConfig()));
      await expect(a.request(new BadEcho(), { timeout: 5_000 })).rejects.toSatisfy(isUnexpectedResponseError);

      await b.subscribe(Echo, () => undefined); // never answers
      const timedOut: unknown = await a.request(new Echo('slow'), { timeout: 50 }).catch((e: unknown) => e);
      expect(isRequestTimeoutError(timedOut) && timedOut.context).toMatchObject({
        target: 'b',
        eventType: 'test.Echo',
        timeoutMs: 50,
      });
    });

    it('rejects a pending request with RemoteDisconnectedError when the responder closes', async () => {
      const [a, b] = await endpoints('a', 'b');
      const asked = b.waitFor(Echo);
      await a.waitUntilEndpointSubscribedTo('b', Echo, { timeout: 5_000 });
      const pending = a.request(new Echo('never'), { timeout: 30_000 }).catch((e: unknown) => e);
      await asked;
      await b.close();
      const error = await pending;
      expect(isRemoteDisconnectedError(error) && error.context).toMatchObject({ endpoint: 'b' });
      expect(a.isConnectedTo('b')).toBe(false);
    });
  });

  describe('routing', () => {
    it('sends a targeted broadcast to its target only, and keeps internal events inside', async () => {
      const [a, b, c] = await endpoints('a', 'b', 'c');
      const atB = await collect(b, Ping);
      const atC = await collect(c, Ping);
      const atA = await collect(a, Ping);
      await a.broadcast(new Ping(7), new BroadcastConfig({ filterEndpoint: 'b' }));
      // a sentinel to c: one sender's frames arrive in order, so a stray 7 would come first
      await a.broadcast(new Ping(99), new BroadcastConfig({ filterEndpoint: 'c' }));
      await a.broadcast(new Ping(5), new BroadcastConfig({ internal: true }));
      await expect.poll(() => atB.length + atC.length).toBe(2);
      expect(atB.map((p) => p.n)).toEqual([7]);
      expect(atC.map((p) => p.n)).toEqual([99]);
      expect(atA.map((p) => p.n)).toEqual([5]);
      await expect(
        a.broadcast(new Ping(1), new BroadcastConfig({ filterEndpoint: 'nobody', requireSubscriber: true })),
      ).rejects.toSatisfy(isNoSubscribersError);
    });
  });

  describe('connection and subscription state', () => {
    it('finds endpoints that start later, waits for subscriptions, forgets one that leaves', async () => {
      const a = await endpoint('a');
      const connected = a.connectToEndpoints({ name: 'b', path: '' });
      const changes = firstValueFrom(a.connections$.pipe(take(3), toArray()));
      const b = await endpoint('b');
      await connected;
      expect(a.isConnectedTo('b') && b.isConnectedTo('a')).toBe(true);

      const anyNote = a.waitUntilAnyEndpointSubscribedTo(Note, { timeout: 5_000 });
      const allNote = b.waitUntilAllEndpointsSubscribedTo(Note, { timeout: 5_000 });
      await b.subscribe(Note, () => undefined);
      await anyNote;
      expect(a.getConnectedEndpointsAndSubscriptions()).toEqual([
        { name: 'b', eventTypes: new Set(['test.Note']) },
      ]);
      expect(a.areAllEndpointsSubscribedTo(Note, { includeSelf: false })).toBe(true);
      expect(a.areAllEndpointsSubscribedTo(Note)).toBe(false);
      await a.subscribe(Note, () => undefined);
      await allNote;

      await b.close();
      expect(await changes).toEqual([[], ['b'], []]);
      expect(a.isConnectedTo('b')).toBe(false);
    });

    it('times connectToEndpoints out, refuses its own name, a taken name, and listening on a socket', async () => {
      const a = await endpoint('a', { connectTimeout: 50 });
      await expect(a.connectToEndpoints({ name: 'ghost', path: '' })).rejects.toSatisfy(isBusTimeoutError);
      await expect(a.connectToEndpoints({ name: 'a', path: '' })).rejects.toSatisfy(
        isConnectionRejectedError,
      );
      await expect(endpoint('a')).rejects.toSatisfy(isConnectionRejectedError);
      await expect(a.startServer('/tmp/x.sock')).rejects.toSatisfy(isBusConfigError);
      await expect(endpoint('b', { subjectPrefix: 'bad prefix' })).rejects.toSatisfy(isBusConfigError);
      await expect(endpoint('bad name!')).rejects.toSatisfy(isBusConfigError);
      expect(a.isServing).toBe(false);
    });

    it('keeps buses on different subject prefixes apart', async () => {
      const a = await endpoint('a', { subjectPrefix: `t.bus${bus}.one` });
      const b = await endpoint('b', { subjectPrefix: `t.bus${bus}.two` });
      const a2 = await endpoint('a', { subjectPrefix: `t.bus${bus}.two` }); // the same name, another bus
      await b.connectToEndpoints({ name: 'a', path: '' });
      expect(b.isConnectedTo('a')).toBe(true);
      expect(a.getConnectedEndpointsAndSubscriptions()).toEqual([]);
      expect(a2.subjectPrefix).toBe(`t.bus${bus}.two`);
    });

    it('asks a silent endpoint whether it is there: keeps it while it answers, drops it when NATS says it is gone', async () => {
      const a = await endpoint('a');
      const raw = await rawClient();
      try {
        // a fake endpoint: announces itself once, answers the handshake, then sends nothing more
        const prefix = `t.bus${bus}`;
        const session = { inst: 'abc', ep: 0, hb: 100 };
        let probes = 0;
        const claim = raw.subscribe(`${prefix}.n.ghost`, {
          callback: (_err, msg) => {
            probes++;
            msg.respond(JSON.stringify({ k: 'here', v: 1, ...session }));
          },
        });
        const asked = new Promise<void>((resolve) => {
          raw.subscribe(`${prefix}.m.ghost.a`, { max: 1, callback: () => resolve() });
        });
        await raw.flush();
        raw.publish(`${prefix}.p.ghost`, JSON.stringify({ k: 'here', v: 1, ...session }));
        await asked; // a's hello
        const hello = { k: 'hello' as const, v: 1, name: 'ghost', seq: 0, subs: [], ...session, ans: true };
        raw.publish(`${prefix}.m.a.ghost`, busMessage(encodeFrame(hello, 1 << 20)));
        await a.waitUntilConnectedTo('ghost', { timeout: 5_000 });

        // silent for three of its heartbeats, asked, answers: still connected (only busy)
        await expect.poll(() => probes, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
        expect(a.isConnectedTo('ghost')).toBe(true);

        // its subscription gone (as when its process dies): NATS answers "no responders"
        const gone = a.waitUntilConnectionsChange({ timeout: 10_000 });
        claim.unsubscribe();
        await gone;
        expect(a.isConnectedTo('ghost')).toBe(false);
      } finally {
        await raw.close();
      }
    });
  });

  describe('what comes off the wire is data', () => {
    it('drops garbage, unknown types and bad payloads with FrameErrors, answers a bad request with nores', async () => {
      const [a, b] = await endpoints('a', 'b');
      const errors = errorsOf(a);
      const raw = await rawClient();
      try {
        const to = `t.bus${bus}.m.a.b`; // as if from b: the sender is the subject's last token
        raw.publish(to, new Uint8Array([9, 9, 9])); // not a bus message
        raw.publish(to, busMessage(Buffer.from([0, 0, 0, 6, 0, 0, 0, 2, 123, 125]))); // {} is no frame
        raw.publish(to, busMessage(joined(encodeEventFrame('test.Nope', { x: 1 }, {}, 1 << 20).parts)));
        raw.publish(
          to,
          busMessage(joined(encodeEventFrame('test.Ping', { n: 'not a number' }, {}, 1 << 20).parts)),
        );
        // a request of an unknown type is answered `nores`, on the subject back to its sender
        const nores = new Promise<string>((resolve) => {
          raw.subscribe(`t.bus${bus}.m.b.a`, {
            callback: (_err, msg) => {
              const text = Buffer.from(msg.data).toString('latin1');
              if (text.includes('"nores"')) resolve(text.slice(text.indexOf('{')));
            },
          });
        });
        await raw.flush();
        raw.publish(
          to,
          busMessage(joined(encodeEventFrame('test.Nope', {}, { req: 'b:77' }, 1 << 20).parts)),
        );
        raw.publish(`t.bus${bus}.m.a.bad!name`, busMessage(encodeFrame({ k: 'ack', seq: 1 }, 1 << 20)));
        raw.publish(`t.bus${bus}.p.b`, 'not json');
        await expect
          .poll(() => errors.filter(isFrameError).map((e) => e.context.kind))
          .toEqual([
            'garbage',
            'invalid-frame',
            'unknown-type',
            'invalid-payload',
            'unknown-type',
            'invalid-frame',
            'invalid-frame',
          ]);
        expect(await nores).toBe('{"k":"nores","re":"b:77"}');
        expect(a.isConnectedTo('b')).toBe(true); // nothing of it disturbed the connection
        const pings = await collect(a, Ping);
        await b.broadcast(new Ping(1));
        await expect.poll(() => pings.map((p) => p.n)).toEqual([1]);
      } finally {
        await raw.close();
      }
    });
  });

  describe('protocol versions', () => {
    it('refuses a hello of another version, and reports a refusal of its own', async () => {
      const a = await endpoint('a');
      const errors = errorsOf(a);
      const raw = await rawClient();
      try {
        const prefix = `t.bus${bus}`;
        const framesTo = (subject: string): string[] => {
          const texts: string[] = [];
          raw.subscribe(subject, {
            callback: (_err, msg) => {
              const text = Buffer.from(msg.data).toString('latin1');
              texts.push(text.slice(text.indexOf('{')));
            },
          });
          return texts;
        };
        const toOld = framesTo(`${prefix}.m.old.a`);
        const toNew = framesTo(`${prefix}.m.new.a`);
        await raw.flush();
        const session = { inst: 'abc', ep: 0, hb: 250 };
        // an endpoint of protocol version 2 says hello: refused
        const hello = { k: 'hello' as const, v: 2, name: 'old', seq: 0, subs: [], ...session, ans: false };
        raw.publish(`${prefix}.m.a.old`, busMessage(encodeFrame(hello, 1 << 20)));
        await expect.poll(() => toOld).toContainEqual(expect.stringContaining('"k":"reject"'));
        expect(a.isConnectedTo('old')).toBe(false);
        // an endpoint refuses a's hello: reported, and not retried for that session
        raw.publish(`${prefix}.p.new`, JSON.stringify({ k: 'here', v: 1, ...session }));
        await expect.poll(() => toNew.length).toBe(1);
        raw.publish(
          `${prefix}.m.a.new`,
          busMessage(encodeFrame({ k: 'reject', reason: 'too new' }, 1 << 20)),
        );
        await expect
          .poll(() => errors.filter(isConnectionRejectedError).map((e) => e.context))
          .toEqual([{ endpoint: 'new', reason: 'too new' }]);
        raw.publish(`${prefix}.p.new`, JSON.stringify({ k: 'here', v: 1, ...session }));
        // a sentinel: a's answers arrive in order, so a hello to `new` would come before this reject
        raw.publish(`${prefix}.m.a.old`, busMessage(encodeFrame(hello, 1 << 20)));
        await expect.poll(() => toOld.length).toBe(2);
        expect(toNew).toHaveLength(1);
        // a restart (another instance, maybe upgraded) is asked again
        raw.publish(`${prefix}.p.new`, JSON.stringify({ k: 'here', v: 1, ...session, inst: 'def' }));
        await expect.poll(() => toNew.length).toBe(2);
        expect(toNew.every((t) => t.includes('"k":"hello"'))).toBe(true);
      } finally {
        await raw.close();
      }
    });
  });

  describe('lifecycle', () => {
    it('closes idempotently, rejects what waits, and refuses use afterwards', async () => {
      const [a] = await endpoints('a', 'b');
      const waiting = a.waitUntilConnectedTo('nobody').catch((e: unknown) => e);
      await Promise.all([a.close(), a.close()]);
      expect(isEndpointClosedError(await waiting)).toBe(true);
      await expect(a.broadcast(new Ping(1))).rejects.toSatisfy(isEndpointClosedError);
      expect(a.isRunning).toBe(false);
    });
  });
});

describe('golem-rx/bus without the NATS client packages', () => {
  it('loads and runs on Unix sockets; connectNats fails typed, saying what to install', () => {
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--import', join(fixtures, 'busNoNatsHook.mjs'), join(fixtures, 'busNoNats.ts')],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toMatchObject({
      running: true,
      name: 'NatsConnectionError',
      operation: 'load',
      message: expect.stringContaining('@nats-io/transport-node'),
    });
  });
});

describe.skipIf(!hasNatsServer)('the bus on NATS, credentials and restarts', () => {
  let own: NatsServerHandle | undefined;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((ep) => ep.close()));
    await own?.stop();
    own = undefined;
  });

  it('refuses a wrong token typed, without the token in the error', async () => {
    own = await startNatsServer({ token: 'right-token-123' });
    const failure: unknown = await Endpoint.connectNats({
      name: 'a',
      servers: own.url,
      token: 'wrong-token-456',
    }).catch((e: unknown) => e);
    expect(isNatsConnectionError(failure)).toBe(true);
    const error = failure as Error & { operation: string; cause: Error };
    expect(error.operation).toBe('auth');
    expect(
      `${error.message} ${error.cause.message} ${JSON.stringify(error)} ${String(error.stack)}`,
    ).not.toContain('wrong-token-456');
    const ok = await Endpoint.connectNats({ name: 'a', servers: own.url, token: 'right-token-123' });
    open.push(ok);
    expect(ok.natsServers).toEqual([own.url]);
  });

  it('survives a NATS restart: pending requests reject, then connections and subscriptions come back', async () => {
    own = await startNatsServer({ token: 'tk-restart' });
    const config = { servers: own.url, token: 'tk-restart', heartbeatInterval: 250, reconnectTimeWaitMs: 50 };
    const a = await Endpoint.connectNats({ name: 'a', ...config });
    const b = await Endpoint.connectNats({ name: 'b', ...config });
    open.push(a, b);
    const errors = [errorsOf(a), errorsOf(b)];
    await a.connectToEndpoints({ name: 'b', path: '' });
    const pings = await collect(b, Ping);
    let ask: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (ask = resolve));
    await b.subscribe(Echo, () => ask()); // never answers: the request is pending across the drop
    await a.broadcast(new Ping(1));
    await expect.poll(() => pings.length).toBe(1);

    const health = firstValueFrom(
      a.natsHealth$.pipe(
        takeWhile((h) => h.kind !== 'recovered', true),
        toArray(),
      ),
    );
    const pending = a.request(new Echo('lost'), { timeout: 30_000 }).catch((e: unknown) => e);
    await asked;
    await own.restart();
    const kinds = (await health).map((h) => h.kind);
    expect(kinds[0]).toBe('unreachable');
    expect(kinds.at(-1)).toBe('recovered');
    expect(isRemoteDisconnectedError(await pending)).toBe(true);

    // both endpoints announce themselves again: the handshake and b's subscriptions come back
    await a.waitUntilEndpointSubscribedTo('b', Ping, { timeout: 10_000 });
    await a.broadcast(new Ping(2));
    await expect.poll(() => pings.map((p) => p.n)).toEqual([1, 2]);
    await b.subscribe(Note, () => undefined);
    expect(a.isEndpointSubscribedTo('b', Note)).toBe(true);
    const reported = errors.flat().map((e) => `${e.message} ${String(e.cause)} ${JSON.stringify(e)}`);
    expect(reported.join('\n')).not.toContain('tk-restart');
  });
});
