import { Decimal } from 'decimal.js';
import { filter, firstValueFrom, from, lastValueFrom, share, tap, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { EngineEvent } from '../../src/engine/events.js';
import { executeTasks } from '../../src/engine/executeTasks.js';
import { Task } from '../../src/engine/Task.js';
import type { Worker } from '../../src/engine/worker.js';
import { isBudgetExceededError } from '../../src/errors/BudgetExceededError.js';
import { isJobStoppedError } from '../../src/engine/errors/JobStoppedError.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { jobDevnet, jobNode, leaks, outcomesById } from './support/job.js';

/** Each task sleeps `seconds` on the provider. */
const sleeper =
  (seconds: number): Worker<number, number> =>
  async (ctx, tasks) => {
    for await (const task of tasks) {
      ctx.run('/bin/sleep', String(seconds));
      await ctx.commit();
      task.accept(task.data);
    }
  };

const makeTasks = (n: number) =>
  Array.from({ length: n }, (_, i) => new Task<number, number>(i, { id: `t${i}` }));

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('executeTasks stopped early', () => {
  let devnet: DevnetHandle;
  let node: GolemNode;
  beforeEach(async () => {
    devnet = await jobDevnet({ providers: 6 });
    node = jobNode(devnet);
    await node.start();
  });
  afterEach(async () => {
    await node.close();
    await devnet.stop();
  });

  it('aborted by its AbortSignal mid-run, fails what is left, pays, and leaves nothing open', async () => {
    const controller = new AbortController();
    const tasks = makeTasks(30);
    const events = await lastValueFrom(
      from(tasks).pipe(
        executeTasks(node, sleeper(0.1), {
          payload: {},
          budget: 1,
          maxWorkers: 3,
          signal: controller.signal,
          invoiceTimeout: 10_000,
        }),
        tap((e) => {
          if (e.type === 'taskFinished' && e.task.id === 't0') controller.abort();
        }),
        toArray(),
      ),
    );
    const done = events.at(-1);
    expect(done?.type === 'done' && done.stopped).toBe('aborted');
    const byId = outcomesById(events);
    expect(byId.size).toBe(30);
    for (const outcomes of byId.values()) expect(outcomes).toHaveLength(1);
    const failed = events.filter((e) => e.type === 'taskFailed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.type === 'taskFailed' && isJobStoppedError(e.error))).toBe(true);
    expect(leaks(devnet)).toEqual({ agreements: 0, activities: 0, allocations: 0 });
    expect(events.filter((e) => e.type === 'invoiceAccepted').length).toBe(
      events.filter((e) => e.type === 'agreementSigned').length,
    );
  });

  it('unsubscribed mid-run, releases everything in the background', async () => {
    const events$ = from(makeTasks(30)).pipe(
      executeTasks(node, sleeper(0.1), { payload: {}, budget: 1, maxWorkers: 3 }),
      share(),
    );
    await firstValueFrom(events$.pipe(filter((e) => e.type === 'taskFinished')));
    await until(() => {
      const open = leaks(devnet);
      return open.agreements === 0 && open.activities === 0 && open.allocations === 0;
    });
    expect(leaks(devnet)).toEqual({ agreements: 0, activities: 0, allocations: 0 });
  });

  it('stops at its budget: nothing is paid past it', async () => {
    const budget = new Decimal('0.000001');
    const events: EngineEvent<number, number>[] = await lastValueFrom(
      from(makeTasks(6)).pipe(
        executeTasks(node, sleeper(3), {
          payload: {},
          budget,
          maxWorkers: 2,
          terms: { debitNoteIntervalSec: 1, debitNoteAcceptTimeoutSec: 10 },
          invoiceTimeout: 10_000,
        }),
        toArray(),
      ),
    );
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done event');
    expect(done.stopped).toBe('budget');
    expect(done.totalCost.lte(budget)).toBe(true);
    const refused = events.filter((e) => e.type === 'paymentRefused');
    expect(refused.some((e) => e.type === 'paymentRefused' && isBudgetExceededError(e.error))).toBe(true);
    const stats = devnet.stats() as unknown as {
      debitNotes: { amountAccepted: string };
      invoices: { amountAccepted: string };
    };
    expect(new Decimal(stats.debitNotes.amountAccepted).plus(stats.invoices.amountAccepted).lte(budget)).toBe(
      true,
    );
    expect(leaks(devnet)).toEqual({ agreements: 0, activities: 0, allocations: 0 });
  });
});
