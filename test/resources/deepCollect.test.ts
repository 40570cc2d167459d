import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { createYagnaApi, type YagnaExchange } from '../../src/api/index.js';
import { nodeOn, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet({ providers: 650 });
});

afterEach(async () => {
  await devnet.stop();
});

describe("a demand's deep queue", () => {
  it('is drained by concurrent collects: every offer arrives once, in two round trips instead of seven', async () => {
    const exchanges: YagnaExchange[] = [];
    const api = createYagnaApi(
      { url: devnet.url, appKey: devnet.appKey, onExchange: (e) => void exchanges.push(e) },
      {},
    );
    const node = nodeOn(devnet, { api });
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation], autostart: false });
    const offers = await firstValueFrom(demand.proposals$.pipe(take(650), toArray()));

    expect(new Set(offers.map((p) => p.id)).size).toBe(650);
    expect(new Set(offers.map((p) => p.providerId)).size).toBe(650);
    const collects = exchanges.filter((e) => e.pathTemplate.endsWith('/demands/{subscriptionId}/events'));
    // the long-poll brought 100 and the first drain round of 8 immediate collects the other 550
    expect(collects[0]?.query.timeout).toBe('1');
    expect(collects.slice(1, 9).map((e) => e.query.timeout)).toEqual(Array<string>(8).fill('0'));
    expect(collects[0]?.responseBody).toHaveLength(100);
    const round = collects.slice(1, 9).map((e) => (e.responseBody as unknown[]).length);
    expect(round.sort((a, b) => b - a)).toEqual([100, 100, 100, 100, 100, 50, 0, 0]);
    await node.close();
  });
});
