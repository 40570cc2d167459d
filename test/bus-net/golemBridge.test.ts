// bridgeGolemEvents: a real GolemNode on devnet, its bus bridged onto an endpoint, watched by a
// real child process; and the mapping itself (golemEventToWire), event by event.
import { Decimal } from 'decimal.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/bus/EventBus.js';
import {
  ListenerFailed,
  NewResource,
  NodeClosed,
  NodeStarted,
  ResourceClosed,
  ResourceDataChanged,
  SourceHealthChanged,
} from '../../src/bus/events.js';
import {
  Endpoint,
  GolemNodeEventMessage,
  GolemResourceEventMessage,
  bridgeGolemEvents,
  defaultEventRegistry,
  golemEventToWire,
  isFrameError,
  isSubscriberError,
  type BaseEvent,
} from '../../src/bus/net/index.js';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import { GolemNode } from '../../src/node/GolemNode.js';
import { Puppet, eventually, killAllPuppets, socketDir } from './fixtures/puppets.js';

/** What the puppet records per received event (see fixtures/puppet.ts). */
interface Received {
  readonly type: string;
  readonly origin: string | undefined;
  readonly fields: {
    readonly eventType: string;
    readonly resourceKind?: string;
    readonly resourceId?: string;
    readonly newData?: Record<string, unknown>;
    readonly baseUrl?: string;
  };
}

const sockets = socketDir();
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await killAllPuppets();
  // endpoints and nodes first, the devnet they talk to last
  for (const resource of open.splice(0).reverse()) await resource.close();
});
afterAll(() => sockets.remove());

/** Wire → JSON → decode with the registered decoder, as a receiving endpoint does. */
function roundTrip(event: BaseEvent): BaseEvent {
  const registration = defaultEventRegistry.lookupClass(event.constructor as new () => BaseEvent)!;
  return defaultEventRegistry.decode(registration, JSON.parse(JSON.stringify(event)));
}

const resource = { kind: 'Allocation', id: 'alloc-1' };

describe('bridgeGolemEvents', () => {
  it("carries a real node's resource events to another process, never its app key", async () => {
    const devnet: DevnetHandle = await startDevnet({ port: 0, providers: 5, seed: 1 });
    open.push({ close: () => devnet.stop() });
    const appKey = devnet.appKey;
    const node = new GolemNode({
      apiUrl: devnet.url,
      appKey,
      env: {},
      pollTimeoutSec: 1,
      minPollIntervalMs: 50,
    });
    const endpoint = await Endpoint.serve({ name: 'golem', path: sockets.path('golem') });
    open.push(node, endpoint);
    const bridge = bridgeGolemEvents(node.events, endpoint, { secrets: [appKey] });

    const watcher = await Puppet.spawn('watcher');
    await watcher.call('client', { name: 'watcher' });
    await watcher.call('connect', { ep: 'watcher', configs: [endpoint.connectionConfig] });
    await watcher.call('subscribe', { ep: 'watcher', type: 'GolemWireEvent' });
    await endpoint.waitUntilEndpointSubscribedTo('watcher', GolemResourceEventMessage, { timeout: 5_000 });
    await endpoint.waitUntilEndpointSubscribedTo('watcher', GolemNodeEventMessage, { timeout: 5_000 });

    await node.start();
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({
      // the app key inside the demand's data, so that a bridge that did not redact would leak it
      payload: { properties: { 'golem.test.note': `key=${appKey}` } },
      allocations: [allocation],
    });
    await demand.getData();
    await node.close();

    const received = async (): Promise<Received[]> => watcher.call<Received[]>('received', { ep: 'watcher' });
    await eventually(async () => (await received()).some((r) => r.fields.eventType === 'NodeClosed'));
    const events = await received();
    bridge.unsubscribe();

    const about = (kind: string, id: string): string[] =>
      events
        .filter((e) => e.fields.resourceKind === kind && e.fields.resourceId === id)
        .map((e) => e.fields.eventType);
    for (const [kind, id] of [
      ['Allocation', allocation.id],
      ['Demand', demand.id],
    ] as const) {
      const seen = about(kind, id);
      expect(seen[0]).toBe('NewResource');
      expect(seen.filter((t) => t === 'ResourceClosed')).toHaveLength(1);
      expect(seen.at(-1)).toBe('ResourceClosed');
    }
    expect(events.every((e) => e.origin === 'golem')).toBe(true);
    expect(events.find((e) => e.fields.eventType === 'NewResource')?.type).toBe('GolemResourceEventMessage');
    const lifecycle = events.filter((e) => e.type === 'GolemNodeEventMessage').map((e) => e.fields);
    expect(lifecycle).toEqual([
      { eventType: 'NodeStarted', baseUrl: node.apiUrl },
      { eventType: 'NodeClosing', baseUrl: node.apiUrl },
      { eventType: 'NodeClosed', baseUrl: node.apiUrl },
    ]);

    // the allocation's data crossed as JSON, its amount a decimal string
    const allocationData = events.find(
      (e) => e.fields.eventType === 'ResourceDataChanged' && e.fields.resourceId === allocation.id,
    )?.fields.newData;
    expect(allocationData?.['totalAmount']).toBe('1');
    // the demand's data crossed too, with the app key redacted
    const demandData = events.find(
      (e) => e.fields.eventType === 'ResourceDataChanged' && e.fields.resourceId === demand.id,
    )?.fields.newData;
    expect(JSON.stringify(demandData)).toContain('key=[REDACTED]');
    expect(JSON.stringify(events)).not.toContain(appKey);
  }, 20_000);
});

describe('golemEventToWire', () => {
  const toWire = golemEventToWire({ secrets: ['s3cret-key'] });

  it('maps resource events to plain data, Decimals as strings, secrets redacted', () => {
    const changed = toWire(
      new ResourceDataChanged(resource, undefined, {
        totalAmount: new Decimal('2.500000000000000001'),
        note: 'uses s3cret-key',
        owner: { kind: 'Demand', id: 'd-1', node: { appKey: 's3cret-key' } },
      }),
    );
    expect(changed).toBeInstanceOf(GolemResourceEventMessage);
    expect({ ...roundTrip(changed!) }).toEqual({
      eventType: 'ResourceDataChanged',
      resourceKind: 'Allocation',
      resourceId: 'alloc-1',
      newData: {
        totalAmount: '2.500000000000000001',
        note: 'uses [REDACTED]',
        owner: { kind: 'Demand', id: 'd-1' },
      },
    });
    expect({ ...toWire(new ResourceClosed(resource))! }).toEqual({
      eventType: 'ResourceClosed',
      resourceKind: 'Allocation',
      resourceId: 'alloc-1',
    });
    const withoutData = golemEventToWire({ includeData: false })(
      new ResourceDataChanged(resource, undefined, { a: 1 }),
    );
    expect({ ...withoutData! }).toEqual({
      eventType: 'ResourceDataChanged',
      resourceKind: 'Allocation',
      resourceId: 'alloc-1',
    });
  });

  it('maps node and health events, with the URL and errors cleaned', () => {
    const started = toWire(new NodeStarted({ baseUrl: 'http://user:s3cret-key@127.0.0.1:7465/' }));
    expect({ ...roundTrip(started!) }).toEqual({
      eventType: 'NodeStarted',
      baseUrl: 'http://127.0.0.1:7465/',
    });
    const down = toWire(
      new SourceHealthChanged('invoices', {
        kind: 'unreachable',
        attempt: 2,
        retryInMs: 400,
        error: new Error('401 for key s3cret-key'),
      }),
    );
    expect({ ...roundTrip(down!) }).toEqual({
      eventType: 'SourceHealthChanged',
      source: 'invoices',
      health: {
        kind: 'unreachable',
        attempt: 2,
        retryInMs: 400,
        error: { name: 'Error', message: '401 for key [REDACTED]' },
      },
    });
    expect({
      ...roundTrip(toWire(new SourceHealthChanged('invoices', { kind: 'recovered', downtimeMs: 900 }))!),
    }).toEqual({
      eventType: 'SourceHealthChanged',
      source: 'invoices',
      health: { kind: 'recovered', downtimeMs: 900 },
    });
  });

  it('keeps in-process diagnostics in the process', () => {
    expect(
      toWire(new ListenerFailed('l#1', new NodeClosed({ baseUrl: 'x' }), new Error('boom'))),
    ).toBeUndefined();
  });

  it('drops received payloads its decoders refuse', () => {
    const registration = defaultEventRegistry.lookupClass(GolemResourceEventMessage)!;
    const decode = (payload: unknown): unknown => defaultEventRegistry.decode(registration, payload);
    expect(() => decode({ eventType: 'Explode', resourceKind: 'A', resourceId: 'a' })).toThrow(
      expect.toSatisfy(isFrameError),
    );
    expect(() => decode({ eventType: 'NewResource', resourceKind: 'A' })).toThrow(
      expect.toSatisfy(isFrameError),
    );
  });

  it('reports a mapping failure on the endpoint and keeps bridging', async () => {
    const endpoint = await new Endpoint('alone').run();
    open.push(endpoint);
    const errors: GolemRxError[] = [];
    endpoint.errors$.subscribe({ next: (e) => void errors.push(e) });
    const sent: string[] = [];
    await endpoint.subscribe(GolemResourceEventMessage, (e) => void sent.push(e.eventType));
    const bus = new EventBus();
    bridgeGolemEvents(bus, endpoint);
    const unserialisable = {
      toJSON: () => {
        throw new Error('cannot serialise');
      },
    };
    bus.emit(new ResourceDataChanged(resource, undefined, unserialisable));
    bus.emit(new NewResource(resource));
    await eventually(() => sent.length === 1);
    expect(sent).toEqual(['NewResource']);
    expect(errors).toHaveLength(1);
    expect(isSubscriberError(errors[0]) && (errors[0].cause as Error).message).toBe('cannot serialise');
  });
});
