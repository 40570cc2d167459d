import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { DevnetHandle } from '../../src/devnet/index.js';
import { isYagnaUnauthorizedError } from '../../src/errors/YagnaUnauthorizedError.js';
import type { Runnable } from '../../src/integrations/index.js';
import { GolemNode } from '../../src/resources/GolemNode.js';
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
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(node.state).toBe('started');
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
});
