import { lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { mapTasks } from '../../src/engine/mapTasks.js';
import { nodeOn, openCounts, testDevnet } from '../resources/support/devnet.js';

describe('smoke', () => {
  it('runs a few tasks', async () => {
    const devnet = await testDevnet({ providers: 4 });
    const node = nodeOn(devnet);
    await node.start();
    const events = await lastValueFrom(
      mapTasks<number, string>(
        node,
        async (ctx, tasks) => {
          for await (const task of tasks) {
            ctx.run('/bin/sh', '-c', `echo $((${task.data} * 2))`);
            const [r] = await ctx.commit();
            task.accept(r!.stdout!.trim());
          }
        },
        [1, 2, 3, 4, 5, 6],
        { payload: {}, budget: 1, maxWorkers: 2, terms: { debitNoteIntervalSec: 1, debitNoteAcceptTimeoutSec: 10 }, invoiceTimeout: 10_000 },
      ).pipe(tap((e) => console.log(e.type, 'task' in e ? `${e.task.id}` : '', 'providerId' in e ? e.providerId : '', 'error' in e && e.error ? String(e.error) : '')), toArray()),
    );
    console.log(openCounts(devnet), JSON.stringify(devnet.stats()));
    expect(events.at(-1)?.type).toBe('done');
    await node.close();
    await devnet.stop();
  });
});
