// bridgeToEndpoint: an in-process bus (here a Subject, shaped like GolemNode's) crossing an endpoint.
import { Subject } from 'rxjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BroadcastConfig,
  Endpoint,
  bridgeToEndpoint,
  isNoSubscribersError,
  isSubscriberError,
  type BridgeSource,
} from '../../src/bus/net/index.js';
import type { GolemRxError } from '../../src/errors/GolemRxError.js';
import { Dog, Note } from './fixtures/events.js';
import { eventually, socketDir } from './fixtures/puppets.js';

type LocalEvent =
  | { readonly kind: 'said'; readonly text: string }
  | { readonly kind: 'barked'; readonly by: string }
  | { readonly kind: 'internal' };

function localBus(): BridgeSource<LocalEvent> & { readonly seen: LocalEvent[] } {
  const subject = new Subject<LocalEvent>();
  const seen: LocalEvent[] = [];
  subject.subscribe({ next: (e) => void seen.push(e) });
  return { events$: subject.asObservable(), emit: (e) => subject.next(e), seen };
}

const sockets = socketDir();
const toNode = new BroadcastConfig({ filterEndpoint: 'node' });
const open: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});
afterAll(() => sockets.remove());

describe('bridgeToEndpoint', () => {
  it('sends mapped local events out, brings subscribed ones in, and echoes nothing back', async () => {
    const here = await Endpoint.serve({ name: 'node', path: sockets.path('node') });
    const there = await new Endpoint('remote').run();
    open.push(here, there);
    await there.connectToEndpoints(here.connectionConfig!);
    const remoteNotes: string[] = [];
    await there.subscribe(Note, (n) => void remoteNotes.push(n.text));

    const bus = localBus();
    const bridge = bridgeToEndpoint(bus, here, {
      toWire: (e) => (e.kind === 'said' ? new Note(e.text) : e.kind === 'barked' ? new Dog(e.by) : undefined),
      inbound: {
        types: [Note],
        fromWire: (w): LocalEvent | undefined =>
          w instanceof Note ? { kind: 'said', text: `remote: ${w.text}` } : undefined,
      },
    });
    await there.waitUntilEndpointSubscribedTo('node', Note, { timeout: 5_000 });

    bus.emit({ kind: 'said', text: 'hello' });
    bus.emit({ kind: 'internal' }); // not mapped: stays in the process
    await eventually(() => remoteNotes.length === 1);
    expect(remoteNotes).toEqual(['hello']);

    await there.broadcast(new Note('hi back'), toNode);
    await eventually(() => bus.seen.length === 3);
    expect(bus.seen[2]).toEqual({ kind: 'said', text: 'remote: hi back' });
    // the event brought in is not sent out again: the next note is the only one the remote sees
    bus.emit({ kind: 'said', text: 'second' });
    await eventually(() => remoteNotes.length === 2);
    expect(remoteNotes).toEqual(['hello', 'second']);

    bridge.unsubscribe();
    await eventually(() => !there.isEndpointSubscribedTo('node', Note));
    bus.emit({ kind: 'said', text: 'after' });
    // the node no longer subscribes to Note, so nothing can come in
    await expect(
      there.broadcast(
        new Note('ignored'),
        new BroadcastConfig({ filterEndpoint: 'node', requireSubscriber: true }),
      ),
    ).rejects.toSatisfy(isNoSubscribersError);
    await here.broadcast(new Note('sentinel')); // had 'after' gone out, it would arrive first
    await eventually(() => remoteNotes.length === 3);
    expect(remoteNotes).toEqual(['hello', 'second', 'sentinel']);
    expect(bus.seen.map((e) => (e.kind === 'said' ? e.text : e.kind))).toEqual([
      'hello',
      'internal',
      'remote: hi back',
      'second',
      'after',
    ]);
  });

  it('reports mapping failures on the endpoint instead of throwing into the source', async () => {
    const ep = await new Endpoint('lonely').run();
    open.push(ep);
    const errors: GolemRxError[] = [];
    ep.errors$.subscribe({ next: (e) => void errors.push(e) });
    const bus = localBus();
    bridgeToEndpoint(bus, ep, {
      toWire: () => {
        throw new Error('cannot map');
      },
    });
    bus.emit({ kind: 'internal' });
    expect(errors).toHaveLength(1);
    expect(isSubscriberError(errors[0]) && (errors[0].cause as Error).message).toBe('cannot map');
  });
});
