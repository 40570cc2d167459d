// Timeouts run on the endpoint's (or the call's) RxJS scheduler: here a VirtualTimeScheduler,
// so they fire when the test flushes virtual time, never after a real sleep.
import { VirtualTimeScheduler } from 'rxjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Endpoint, isBusTimeoutError, isRequestTimeoutError } from '../../src/bus/net/index.js';
import { Echo, Note } from './fixtures/events.js';
import { socketDir } from './fixtures/puppets.js';

const sockets = socketDir();
const open: Endpoint[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});
afterAll(() => sockets.remove());

function settle<T>(p: Promise<T>): {
  readonly state: () => 'pending' | 'resolved' | 'rejected';
  readonly error: () => unknown;
} {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let error: unknown;
  p.then(
    () => (state = 'resolved'),
    (e: unknown) => {
      state = 'rejected';
      error = e;
    },
  );
  return { state: () => state, error: () => error };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('timeouts in virtual time', () => {
  it('times a request out on the endpoint scheduler', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = await Endpoint.serve({ name: 'vt', path: sockets.path('vt'), scheduler });
    const silent = await new Endpoint('silent').run();
    open.push(server, silent);
    await silent.connectToEndpoints(server.connectionConfig!);
    await silent.subscribe(Echo, () => undefined); // takes requests, never answers

    const request = settle(server.request(new Echo('?'), { timeout: 5_000 }));
    await tick();
    expect(request.state()).toBe('pending');
    scheduler.flush();
    await tick();
    expect(request.state()).toBe('rejected');
    expect(isRequestTimeoutError(request.error()) && request.error()).toMatchObject({
      context: { target: 'silent', timeoutMs: 5_000, eventType: 'test.Echo' },
    });
    expect(scheduler.now()).toBe(5_000);
  });

  it('takes a per-call scheduler for requests and waits', async () => {
    const ep = await new Endpoint('calls').run();
    open.push(ep);
    await ep.subscribe(Echo, () => undefined);
    const scheduler = new VirtualTimeScheduler();
    const request = settle(ep.request(new Echo('?'), { timeout: 300, scheduler }));
    const connected = settle(ep.waitUntilConnectedTo('nobody', { timeout: 1_000, scheduler }));
    const next = settle(ep.waitFor(Note, { timeout: 2_000, scheduler }));
    await tick();
    expect([request.state(), connected.state(), next.state()]).toEqual(['pending', 'pending', 'pending']);
    scheduler.flush();
    await tick();
    expect(isRequestTimeoutError(request.error())).toBe(true);
    expect(isBusTimeoutError(connected.error()) && connected.error()).toMatchObject({
      context: { endpoint: 'calls', operation: 'waitUntilConnectedTo(nobody)', timeoutMs: 1_000 },
    });
    expect(isBusTimeoutError(next.error())).toBe(true);
  });
});
