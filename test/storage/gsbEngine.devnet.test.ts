/**
 * The engine's WorkContext takes any storage of the port (`TransferStorage`): a job given a
 * `GsbStorage` moves its files through yagna's GSB API (`gftp://` URLs), and the storage stays the
 * caller's (the job does not close it).
 */
import { Decimal } from 'decimal.js';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { executeTasks } from '../../src/engine/executeTasks.js';
import { Task } from '../../src/engine/Task.js';
import type { Worker } from '../../src/engine/worker.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { GsbStorage } from '../../src/storage/GsbStorage.js';
import { jobDevnet, jobNode, leaks } from '../engine/support/job.js';

let devnet: DevnetHandle;
let node: GolemNode;

beforeEach(async () => {
  devnet = await jobDevnet({ providers: 3 });
  node = jobNode(devnet);
  await node.start();
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
});

/** Sends the task's text, doubles it on the provider, downloads the result. */
const twice: Worker<string, string> = async (ctx, tasks) => {
  for await (const task of tasks) {
    ctx
      .sendBytes('/golem/input/in.txt', task.data)
      .run('/bin/sh', '-c', 'cat /golem/input/in.txt /golem/input/in.txt > /golem/output/out.txt')
      .downloadBytes('/golem/output/out.txt');
    const results = await ctx.commit({ timeout: 10_000 });
    task.accept(new TextDecoder().decode(results.at(-1)?.bytes));
  }
};

describe('executeTasks with a GsbStorage', () => {
  it('transfers through yagna’s GSB API; every service is unbound once the batches are done', async () => {
    const storage = new GsbStorage({ api: node.api, nodeId: node.identity?.identity });
    const tasks = ['a', 'bb', 'ccc'].map((text, i) => new Task<string, string>(text, { id: `t${i}` }));
    const events = await lastValueFrom(
      from(tasks).pipe(
        executeTasks(node, twice, { payload: {}, budget: new Decimal(1), maxWorkers: 2, storage }),
        toArray(),
      ),
    );
    expect(tasks.map((t) => t.result)).toEqual(['aa', 'bbbb', 'cccccc']);
    expect(events.at(-1)?.type).toBe('done');
    const gsb = devnet.stats().gsb;
    expect(gsb.bindsTotal).toBe(6); // one upload and one download URL per task
    expect(gsb.calls).toBeGreaterThanOrEqual(6 * 2);
    expect(storage.openTransfers).toBe(0); // the WorkContext withdrew each batch's URLs
    await storage.close(); // still the caller's to close, and nothing left to release
    expect(devnet.stats().gsb).toMatchObject({ bound: 0, callErrors: 0 });
    expect(leaks(devnet)).toEqual({ agreements: 0, activities: 0, allocations: 0 });
  });
});
