/** Helpers of the engine's devnet tests: a node on a faulty devnet and a worker of tiny tasks. */
import type { DevnetHandle, DevnetOptions } from '@golem-rx/devnet';
import { startDevnet } from '@golem-rx/devnet';
import type { EngineEvent } from '../../../src/engine/events.js';
import type { Worker } from '../../../src/engine/worker.js';
import { GolemNode } from '../../../src/node/GolemNode.js';

/** A seeded devnet with fast providers. */
export function jobDevnet(options: DevnetOptions = {}): Promise<DevnetHandle> {
  return startDevnet({ port: 0, seed: 5, thinkTimeMs: [1, 3], approvalDelayMs: [1, 3], ...options });
}

/** A node with short polls. */
export function jobNode(devnet: DevnetHandle): GolemNode {
  return new GolemNode({
    apiUrl: devnet.url,
    appKey: devnet.appKey,
    env: {},
    pollTimeoutSec: 1,
    minPollIntervalMs: 20,
    backoff: { initialMs: 20, maxMs: 200 },
  });
}

/** A worker that doubles each number with the shell and accepts the result as a number. */
export const doubler: Worker<number, number> = async (ctx, tasks) => {
  for await (const task of tasks) {
    ctx.run('/bin/sh', '-c', `echo $((${task.data} * 2))`);
    const [result] = await ctx.commit({ timeout: 10_000 });
    task.accept(Number(result?.stdout?.trim()));
  }
};

/** Open resources on devnet: agreements not final, activities not terminated, allocations. */
export function leaks(devnet: DevnetHandle): { agreements: number; activities: number; allocations: number } {
  const stats = devnet.stats() as unknown as {
    agreements: Record<string, number>;
    activities: Record<string, number>;
    allocations: { active: number };
  };
  const a = stats.agreements;
  return {
    agreements: (a.Proposal ?? 0) + (a.Pending ?? 0) + (a.Approved ?? 0),
    activities: (stats.activities.total ?? 0) - (stats.activities.Terminated ?? 0),
    allocations: stats.allocations.active,
  };
}

/** The outcomes per task id. */
export function outcomesById<D, R>(events: readonly EngineEvent<D, R>[]): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const e of events) {
    if (e.type !== 'taskFinished' && e.type !== 'taskFailed') continue;
    byId.set(e.task.id, [...(byId.get(e.task.id) ?? []), e.type]);
  }
  return byId;
}
