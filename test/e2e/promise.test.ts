/**
 * The central promise on devnet, in the shapes users write (issue 11): exactly the agreements a
 * pipeline asked for, one per provider, an `Action` that spends once however often it is awaited,
 * and a `close()` that leaves nothing open whenever it comes.
 */
import { firstValueFrom, lastValueFrom, type Subscription, switchMap, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createYagnaApi } from '../../src/api/index.js';
import { type DevnetHandle, parseFaultSpec, startDevnet } from '@golem-rx/devnet';
import { createActivity, createAgreement, negotiate, score } from '../../src/operators/index.js';
import type { Proposal } from '../../src/resources/index.js';
import { agreementStats, byPrice, nodeOn, openCounts } from './support.js';

let devnet: DevnetHandle | undefined;

afterEach(async () => {
  await devnet?.stop();
  devnet = undefined;
});

async function start(providers: number, options: { latency?: number } = {}): Promise<DevnetHandle> {
  devnet = await startDevnet({ port: 0, providers, seed: 7, thinkTimeMs: [1, 10], ...options });
  return devnet;
}

/** The providers of every agreement devnet made for this requestor, by state. */
async function agreementsOnDevnet(net: DevnetHandle): Promise<{ providerId: string; state: string }[]> {
  const api = createYagnaApi({ url: net.url, appKey: net.appKey }, {});
  const list = await api.market.listAgreements();
  return Promise.all(
    list.map(async ({ id }) => {
      const agreement = await api.market.getAgreement(id);
      return { providerId: agreement.offer.providerId, state: agreement.state };
    }),
  );
}

describe('exactly what was asked for', () => {
  it('take(1) after createActivity(): one agreement is signed, not three', async () => {
    const net = await start(20);
    await using node = await nodeOn(net).start();
    const allocation = await node.createAllocation({ amount: 2 });
    const activities = await lastValueFrom(
      node.demand$({ payload: {}, allocations: [allocation] }).pipe(
        score((p: Proposal) => byPrice(p)),
        negotiate(4),
        createAgreement(),
        createActivity(),
        take(1),
        toArray(),
      ),
    );
    expect(activities).toHaveLength(1);
    expect(agreementStats(net).total).toBe(1);
    expect(await agreementsOnDevnet(net)).toEqual([
      { providerId: activities[0]!.agreement.providerId, state: 'Approved' },
    ]);
  });

  it('take(2) right after createAgreement(): two agreements with two providers', async () => {
    const net = await start(20);
    await using node = await nodeOn(net).start();
    const allocation = await node.createAllocation({ amount: 2 });
    const agreements = await lastValueFrom(
      node.demand$({ payload: {}, allocations: [allocation] }).pipe(
        score((p: Proposal) => byPrice(p)),
        negotiate(4),
        createAgreement(),
        take(2),
        toArray(),
      ),
    );
    expect(agreements).toHaveLength(2);
    expect(agreementStats(net).total).toBe(2);
    expect(new Set((await agreementsOnDevnet(net)).map((a) => a.providerId)).size).toBe(2);
  });

  it('a provider that never approves is tried once, and signing goes on past it', async () => {
    const net = await start(6);
    const stubborn = net.providers.slice(0, 3).map((p) => p.id);
    for (const fault of parseFaultSpec(`provider:neverApprove:providers=${stubborn.join(',')}`))
      net.faults.add(fault);
    const rank = (p: Proposal): number => (stubborn.includes(p.providerId) ? 2 : 1); // stubborn first
    await using node = await nodeOn(net).start();
    const allocation = await node.createAllocation({ amount: 2 });
    const agreements = await lastValueFrom(
      node
        .demand$({ payload: {}, allocations: [allocation] })
        .pipe(
          score(rank, { minProposals: 6, maxWait: 5_000 }),
          negotiate(4),
          createAgreement({ approvalTimeout: 300 }),
          take(3),
          toArray(),
        ),
    );
    expect(agreements.map((a) => stubborn.includes(a.providerId))).toEqual([false, false, false]);
    const made = await agreementsOnDevnet(net);
    for (const id of stubborn) expect(made.filter((a) => a.providerId === id).length).toBeLessThanOrEqual(1);
    expect(made.filter((a) => a.state === 'Approved')).toHaveLength(3);
  });
});

describe('an Action', () => {
  it('creates one allocation however often it is awaited', async () => {
    const net = await start(2);
    await using node = await nodeOn(net).start();
    const action = node.createAllocation({ amount: 1 });
    const first = await action;
    const second = await action;
    expect(second).toBe(first);
    expect(openCounts(net).allocations).toBe(1);
    // subscribing is a new call, as for any cold Observable
    await firstValueFrom(action);
    expect(openCounts(net).allocations).toBe(2);
  });
});

describe('close() whenever it comes', () => {
  it('100 times: a node closed 0-50 ms into a rental leaves nothing open and ends its streams', async () => {
    const net = await start(8, { latency: 5 });
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 100; run++) {
      const node = await nodeOn(net).start();
      let ended: 'complete' | 'error' | undefined;
      const subscription: Subscription = node
        .createAllocation({ amount: 1 })
        .pipe(
          switchMap((allocation) => node.demand$({ payload: {}, allocations: [allocation] })),
          score((p: Proposal) => byPrice(p)),
          negotiate(2),
          createAgreement(),
          createActivity(),
        )
        .subscribe({ complete: () => (ended = 'complete'), error: () => (ended = 'error') });
      // the point of this test is an unpredictable moment: a random real delay before close()
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 50)));
      const report = await node.close();
      expect(report.failures).toEqual([]);
      expect(openCounts(net)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
      await vi.waitFor(() => expect(ended).toBeDefined());
      subscription.unsubscribe();
    }
  }, 120_000);
});
