import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type GolemEvent,
  NodeClosed,
  NodeClosing,
  NodeStarted,
  ResourceClosed,
} from '../../src/bus/events.js';
import type { DevnetHandle } from '@golem-rx/devnet';
import { isNoMatchingAccountError } from '../../src/resources/errors/NoMatchingAccountError.js';
import { isNodeClosedError } from '../../src/errors/NodeClosedError.js';
import { isYagnaUnauthorizedError } from '../../src/api/errors/YagnaUnauthorizedError.js';
import { GolemNode } from '../../src/node/GolemNode.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

describe('GolemNode lifecycle', () => {
  it('takes its defaults from the environment, and never shows the app key', async () => {
    const node = new GolemNode({ env: { YAGNA_API_URL: devnet.url, YAGNA_APPKEY: devnet.appKey } });
    expect(node.apiUrl).toBe(devnet.url);
    await node.start();
    expect(node.identity?.identity).toBe(devnet.requestorId);
    expect(JSON.stringify(node)).not.toContain(devnet.appKey);
    expect(inspect(node, { depth: 5 })).not.toContain(devnet.appKey);
    await node.close();
  });

  it('logger: writes every event as a JSON line, without the app key, and stops after close()', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const node = nodeOn(devnet, { logger: { stream } });
    await node.start();
    await node.createAllocation({ amount: 1 });
    await node.close();
    const text = lines.join('');
    expect(text).toContain('NewResource');
    expect(text).toContain('NodeClosed');
    expect(text).not.toContain(devnet.appKey);
    const count = lines.length;
    node.events.emit(new NodeStarted({ baseUrl: 'x' }));
    await node.events.drain(); // every listener still attached has handled it
    expect(lines).toHaveLength(count);
  });

  it('start() rejects a bad app key with a typed error that does not carry the key', async () => {
    const node = nodeOn(devnet, { appKey: 'not-the-key' });
    const error = await node.start().catch((e: unknown) => e);
    expect(isYagnaUnauthorizedError(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain('not-the-key');
    await node.close();
  });

  it('closes everything it created, in order, and leaves devnet with nothing open', async () => {
    const events: GolemEvent[] = [];
    const node = nodeOn(devnet);
    node.events.events$.subscribe((e) => events.push(e));
    await node.start();
    const { agreement, demand, allocation } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    const batch = await activity.exec([{ deploy: {} }]);
    const unfinished = await activity.exec([{ run: { entry_point: '/bin/sh', args: ['-c', 'sleep 30'] } }]);
    // a second agreement, confirmed but never awaited: close() must cancel or terminate it
    const offer2 = await firstValueFrom(demand.proposals$.pipe(take(2), toArray()));
    const pending = await (await offer2[1]!.respond()).createAgreement();
    await pending.confirm();
    expect(openCounts(devnet)).toMatchObject({ demands: 1, activities: 1, allocations: 1 });

    const report = await node.close();

    expect(report).toEqual({ ok: true, failures: [], unsettled: [] });
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
    const closed = events
      .filter((e): e is ResourceClosed => e instanceof ResourceClosed)
      .map((e) => e.resource);
    const order = (r: unknown) => closed.indexOf(r as never);
    expect(order(unfinished)).toBeGreaterThanOrEqual(0);
    expect(order(unfinished)).toBeLessThan(order(activity));
    expect(order(activity)).toBeLessThan(order(agreement));
    expect(order(agreement)).toBeLessThan(order(demand));
    expect(order(demand)).toBeLessThan(order(allocation));
    expect(batch.closed && activity.closed && pending.closed).toBe(true);
    expect(events[0]).toBeInstanceOf(NodeStarted);
    expect(events.filter((e) => e instanceof NodeClosing)).toHaveLength(1);
    expect(events.at(-1)).toBeInstanceOf(NodeClosed);
    expect(node.state).toBe('closed');
    // idempotent, and nothing new after close
    expect(await node.close()).toBe(report);
    expect(() => node.createDemand({ payload: {} })).not.toThrow();
    await expect(node.createDemand({ payload: {} })).rejects.toSatisfy(isNodeClosedError);
  });

  it('await using closes the node at the end of the scope', async () => {
    let allocationId: string;
    {
      await using node = await nodeOn(devnet).start();
      const allocation = await node.createAllocation({ amount: 1 });
      allocationId = allocation.id;
      expect(openCounts(devnet).allocations).toBe(1);
    }
    expect(openCounts(devnet).allocations).toBe(0);
    expect(allocationId).toMatch(/-/);
  });

  it('autoclose: false leaves the resource to its owner', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1, autoclose: false });
    await node.close();
    expect(openCounts(devnet).allocations).toBe(1);
    const other = nodeOn(devnet);
    await other.allocation(allocation.id).release();
    expect(openCounts(devnet).allocations).toBe(0);
    await other.close();
  });
});

describe('GolemNode.createAllocation', () => {
  it('picks the account of the network and driver, with a bounded expiry', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: '2.5', network: 'polygon', expires: 60_000 });
    expect(allocation.paymentPlatform).toBe('erc20-polygon-glm');
    expect(allocation.data.totalAmount.toString()).toBe('2.5');
    expect(allocation.data.address).toBe(devnet.requestorId);
    const expiresIn = Date.parse(allocation.data.timeout ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(60_000);
    await node.close();
  });

  it('errors with NoMatchingAccountError on a network without an account, and validates expires', async () => {
    const node = nodeOn(devnet);
    const error = await node
      .createAllocation({ amount: 1, network: 'mainnet' })
      .then(undefined, (e: unknown) => e);
    expect(isNoMatchingAccountError(error)).toBe(true);
    expect(error).toMatchObject({ network: 'mainnet', driver: 'erc20' });
    expect(() => node.createAllocation({ amount: 1, expires: 25 * 3_600_000 })).toThrow(RangeError);
    expect(() => node.createAllocation({ amount: 1, expires: 0 })).toThrow(RangeError);
    expect(openCounts(devnet).allocations).toBe(0);
    await node.close();
  });
});

describe('GolemNode listings and factories', () => {
  it('makes resources by id (not validated) whose data and relations come from yagna', async () => {
    const owner = nodeOn(devnet);
    const { agreement, demand } = await approvedAgreement(owner);
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    const other = nodeOn(devnet);
    const byId = other.agreement(agreement.id);
    expect(() => byId.providerId).toThrow(expect.objectContaining({ name: 'ResourceDataNotLoadedError' }));
    expect((await byId.getData()).state).toBe('Approved');
    expect(byId.providerId).toBe(agreement.providerId);
    const activityById = other.activity(activity.id);
    expect(() => activityById.agreement).toThrow(
      expect.objectContaining({ name: 'ResourceDataNotLoadedError' }),
    );
    expect(await activityById.resolveAgreement()).toBe(byId);
    expect(activityById.parent).toBe(byId);
    expect((await activityById.getData()).state[0]).toBe('Ready');
    expect((await other.demand(demand.id).getData()).demandId).toBe(demand.id);
    await other.demand(demand.id).unsubscribe();
    expect(openCounts(devnet).demands).toBe(0);
    await other.close();
    expect((await owner.close()).ok).toBe(true);
  });

  it('lists allocations and demands under the app key, created by any node', async () => {
    const creator = nodeOn(devnet);
    const allocation = await creator.createAllocation({ amount: 1 });
    const demand = await creator.createDemand({ payload: {}, allocations: [allocation], autostart: false });
    const reader = nodeOn(devnet);
    const allocations = await reader.allocations();
    const demands = await reader.demands();
    expect(allocations.map((a) => a.id)).toEqual([allocation.id]);
    expect(allocations[0]!.data.totalAmount.toString()).toBe('1');
    expect(demands.map((d) => d.id)).toEqual([demand.id]);
    expect(reader.allocation(allocation.id)).toBe(allocations[0]);
    expect(reader.allocation(allocation.id)).not.toBe(allocation); // one object per id and node
    await creator.close();
    expect(await reader.demands()).toEqual([]);
    await reader.close();
  });
});
