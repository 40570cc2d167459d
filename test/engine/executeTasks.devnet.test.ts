import { Decimal } from 'decimal.js';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { EngineEvent } from '../../src/engine/events.js';
import { executeTasks } from '../../src/engine/executeTasks.js';
import { Task } from '../../src/engine/Task.js';
import { isNoEligibleProviderError } from '../../src/engine/errors/NoEligibleProviderError.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { doubler, jobDevnet, jobNode, leaks, outcomesById } from './support/job.js';

const BUDGET = new Decimal(2);

describe('executeTasks on a faulty devnet: 200 tasks, 20 providers', () => {
  let devnet: DevnetHandle;
  let node: GolemNode;
  let events: EngineEvent<number, number>[];
  let tasks: Task<number, number>[];

  beforeAll(async () => {
    devnet = await jobDevnet({
      providers: 20,
      faults: 'provider:crashActivity:p=0.1;provider:failCommand:p=0.05',
    });
    node = jobNode(devnet);
    await node.start();
    tasks = Array.from({ length: 200 }, (_, i) => new Task<number, number>(i, { id: `t${i}` }));
    events = await lastValueFrom(
      from(tasks).pipe(
        executeTasks(node, doubler, {
          payload: {},
          budget: BUDGET,
          maxWorkers: 10,
          terms: { debitNoteIntervalSec: 1, debitNoteAcceptTimeoutSec: 5 },
          invoiceTimeout: 20_000,
          refreshInterval: 500,
        }),
        toArray(),
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    await devnet?.stop();
  });

  it('delivers every task’s outcome exactly once, keyed by task', () => {
    const byId = outcomesById(events);
    expect(byId.size).toBe(200);
    for (const outcomes of byId.values()) expect(outcomes).toHaveLength(1);
    for (const e of events) {
      if (e.type === 'taskFinished') expect(e.result).toBe(e.task.data * 2);
    }
    const finished = events.filter((e) => e.type === 'taskFinished').length;
    expect(finished).toBeGreaterThanOrEqual(190); // a task fails only after 3 providers failed it
    const done = events.at(-1);
    expect(done?.type === 'done' && done.tasks).toEqual({ total: 200, finished, failed: 200 - finished });
  });

  it('retries on other providers, and reports each failure', () => {
    const retried = tasks.filter((t) => t.attempts > 1);
    expect(retried.length).toBeGreaterThan(0); // the faults did happen
    for (const task of retried) expect(new Set(task.providers).size).toBe(task.providers.length);
    for (const task of tasks.filter((t) => t.state === 'failed')) {
      expect(task.attempts === 3 || isNoEligibleProviderError(task.error)).toBe(true);
    }
    // failed workers ended their agreements with a failure code, not "Success"
    const terminated = events.filter((e) => e.type === 'agreementTerminated');
    expect(terminated.some((e) => e.type === 'agreementTerminated' && !e.success)).toBe(true);
  });

  it('leaks no agreement, activity or allocation', () => {
    expect(leaks(devnet)).toEqual({ agreements: 0, activities: 0, allocations: 0 });
  });

  it('pays debit notes and invoices, within the budget', () => {
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done event');
    expect(done.totalCost.gt(0)).toBe(true);
    expect(done.totalCost.lte(BUDGET)).toBe(true);
    const stats = devnet.stats() as unknown as {
      invoices: { amountAccepted: string };
      debitNotes: { accepted: number };
    };
    expect(new Decimal(stats.invoices.amountAccepted).lte(BUDGET)).toBe(true);
    expect(events.some((e) => e.type === 'invoiceAccepted')).toBe(true);
    expect(events.filter((e) => e.type === 'paymentRefused')).toEqual([]);
  });
});
