import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { isIncompleteCloseError } from '../../src/errors/IncompleteCloseError.js';
import { isYagnaUnauthorizedError } from '../../src/api/errors/YagnaUnauthorizedError.js';
import { parseFaultSpec } from '@golem-rx/devnet';
import type { Runnable } from '../../src/integrations/index.js';
import { GolemNode } from '../../src/node/GolemNode.js';
import { openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

describe('GolemNode as a Runnable (web wiring)', () => {
  it('run() starts the node and resolves only once abort() has closed it', async () => {
    expectTypeOf<GolemNode>().toMatchTypeOf<Runnable>();
    const node = new GolemNode({ apiUrl: devnet.url, appKey: devnet.appKey });
    let finished = false;
    const running = node.run().then(() => {
      finished = true;
    });
    await vi.waitFor(() => expect(node.state).toBe('started'), { timeout: 10_000 });
    expect(finished).toBe(false);
    await node.createAllocation({ amount: 1 });
    await node.abort('shutting down');
    await running;
    expect(finished).toBe(true);
    expect(node.state).toBe('closed');
    expect(openCounts(devnet).allocations).toBe(0);
  });

  it('run() rejects when the node cannot start', async () => {
    const node = new GolemNode({ apiUrl: devnet.url, appKey: 'wrong-key' });
    await expect(node.run()).rejects.toSatisfy(isYagnaUnauthorizedError);
  });
  it('run() rejects with IncompleteCloseError when the close leaves something open', async () => {
    for (const fault of parseFaultSpec('http:500@DELETE /payment-api/v1/allocations/*'))
      devnet.faults.add(fault);
    const node = new GolemNode({ apiUrl: devnet.url, appKey: devnet.appKey, env: {}, closeRetries: 0 });
    const running = node.run();
    await vi.waitFor(() => expect(node.state).toBe('started'));
    const allocation = await node.createAllocation({ amount: 1 });
    await node.abort('shutting down');
    const error: unknown = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isIncompleteCloseError(error)).toBe(true);
    expect(error).toMatchObject({ failures: 1, unsettled: 0 });
    devnet.faults.clear();
    await allocation.release();
  });
});
