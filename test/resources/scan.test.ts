/**
 * `node.scan$` on devnet, over real loopback HTTP: the matching offers each once, by constraints
 * or by payload and subnet; a restart (which loses the scan) repeats none; the scan is ended when
 * the subscriber leaves and when the node closes.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { OfferDto } from '../../src/api/types/index.js';
import { SourceHealthChanged } from '../../src/bus/events.js';
import { nodeOn, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeAll(async () => {
  devnet = await testDevnet({ providers: 6, subnets: { public: 2, beta: 1 }, seed: 5 });
});
afterAll(async () => {
  await devnet.stop();
});

const scans = (): number => devnet.stats().scans;

describe('node.scan$ on devnet', () => {
  it('emits every matching offer once and ends the scan when the subscriber leaves', async () => {
    const node = nodeOn(devnet);
    const offers = await firstValueFrom(
      node.scan$({ constraints: '(golem.runtime.name=vm)' }).pipe(take(devnet.providers.length), toArray()),
    );
    expect(offers.map((o) => o.offerId).sort()).toEqual(devnet.providers.map((p) => p.offerId).sort());
    expect(offers.every((o) => o.properties['golem.runtime.name'] === 'vm')).toBe(true);
    await vi.waitFor(() => expect(scans()).toBe(0)); // endScan, in the background
    await node.close();
  });

  it('scans by payload: its constraints and the subnet’s', async () => {
    const node = nodeOn(devnet);
    const beta = devnet.providers.filter((p) => p.subnet === 'beta');
    expect(beta.length).toBeGreaterThan(0);
    const offers = await firstValueFrom(
      node
        .scan$({ payload: { constraints: ['(golem.inf.mem.gib>=0.1)'] }, subnet: 'beta' })
        .pipe(take(beta.length), toArray()),
    );
    expect(offers.map((o) => o.providerId).sort()).toEqual(beta.map((p) => p.id).sort());
    await node.close();
  });

  it('begins a new scan after a daemon restart (which loses it) and repeats no offer', async () => {
    const node = nodeOn(devnet);
    const health: string[] = [];
    node.events.events$.subscribe((e) => {
      if (e instanceof SourceHealthChanged && e.source.startsWith('scan:')) health.push(e.health.kind);
    });
    const seen: OfferDto[] = [];
    const subscription = node.scan$({ constraints: [] }).subscribe((o) => seen.push(o));
    await vi.waitFor(() => expect(seen).toHaveLength(devnet.providers.length));
    await vi.waitFor(() => expect(devnet.stats().pending.longPolls).toBe(1)); // the scan's next poll
    const subscribed = devnet.stats().requests.total;
    devnet.restart();
    expect(scans()).toBe(0);
    // the poll is cut, retried, answered 404: a new scan is begun and polled (every offer again)
    await vi.waitFor(() => expect(scans()).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(devnet.stats().pending.longPolls).toBe(1));
    expect(devnet.stats().requests.total).toBeGreaterThan(subscribed + 2);
    expect(seen).toHaveLength(devnet.providers.length);
    expect(health).toEqual(['unreachable', 'recovered']);
    subscription.unsubscribe();
    await vi.waitFor(() => expect(scans()).toBe(0));
    await node.close();
  });

  it('is ended when the node closes', async () => {
    const node = nodeOn(devnet);
    let completed = false;
    const subscription = node.scan$({ constraints: '(golem.runtime.name=vm)' }).subscribe({
      complete: () => (completed = true),
    });
    await vi.waitFor(() => expect(scans()).toBe(1));
    await node.close();
    expect(completed).toBe(true);
    expect(subscription.closed).toBe(true);
    await vi.waitFor(() => expect(scans()).toBe(0));
  });

  it('errors on invalid constraints (400 from beginScan)', async () => {
    const node = nodeOn(devnet);
    await expect(firstValueFrom(node.scan$({ constraints: '(golem.runtime.name=' }))).rejects.toMatchObject({
      status: 400,
    });
    expect(scans()).toBe(0);
    await node.close();
  });
});
