import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { isBatchError } from '../../src/resources/errors/BatchError.js';
import { DEPLOY_AND_START } from '../../src/resources/Activity.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

const run = (command: string, capture = true) => ({
  run: {
    entry_point: '/bin/sh',
    args: ['-c', command],
    ...(capture
      ? {
          capture: {
            stdout: { atEnd: { format: 'string' as const } },
            stderr: { atEnd: { format: 'string' as const } },
          },
        }
      : {}),
  },
});

describe('Activity and Batch', () => {
  it('creates, deploys and starts an activity; its state follows; destroy closes it', async () => {
    const node = nodeOn(devnet, { statePollIntervalMs: 20 });
    const { agreement } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    expect(activity.parent).toBe(agreement);
    expect(agreement.activities).toEqual([activity]);
    expect(activity.agreement).toBe(agreement);
    const states: string[] = [];
    const watching = activity.state$.subscribe((s) => states.push(s));
    await activity.deployAndStart();
    expect((await activity.getData({ force: true })).state[0]).toBe('Ready');
    await activity.destroy();
    expect(activity.closed).toBe(true);
    await activity.destroy(); // already gone: tolerated
    await vi.waitFor(() => expect(watching.closed).toBe(true)); // state$ completes after Terminated
    expect(new Set(states).size).toBe(states.length); // each distinct state once
    expect(states).toContain('Ready');
    expect(states.at(-1)).toBe('Terminated');
    expect(openCounts(devnet).activities).toBe(0);
    await node.close();
  });

  it('exec() runs a batch whose results$ emits each command\u2019s result and completes', async () => {
    const node = nodeOn(devnet);
    const { agreement } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    const batch = await activity.exec([...DEPLOY_AND_START, run('echo hello'), run('echo world >&2')]);
    expect(batch.parent).toBe(activity);
    const results = await firstValueFrom(batch.results$.pipe(toArray()));
    expect(results.map((r) => [r.index, r.result])).toEqual([
      [0, 'Ok'],
      [1, 'Ok'],
      [2, 'Ok'],
      [3, 'Ok'],
    ]);
    expect(results[2]!.stdout).toBe('hello\n');
    expect(results[3]!.stderr).toBe('world\n');
    expect(batch.done && batch.closed).toBe(true);
    // a late subscriber gets the same, from the cache
    expect(await firstValueFrom(batch.results$.pipe(toArray()))).toEqual(results);
    expect(activity.batches).toEqual([batch]);
    await node.close();
  });

  it('runtime$ streams the batch’s RuntimeEvents over SSE and ends after the last command', async () => {
    const node = nodeOn(devnet);
    const { agreement } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    const batch = await activity.exec([...DEPLOY_AND_START, run('echo streamed')]);
    const events = await firstValueFrom(batch.runtime$.pipe(toArray()));
    const finished = events.filter((e) => 'finished' in e.kind).map((e) => e.index);
    expect(finished).toEqual([0, 1, 2]);
    expect(events.every((e) => e.batch_id === batch.id)).toBe(true);
    await node.close();
  });

  it('results$ errors with BatchError naming the failed command', async () => {
    const node = nodeOn(devnet);
    const { agreement } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    const batch = await activity.exec([run('echo ok'), run('echo bad >&2; exit 7'), run('echo never')]);
    const seen: number[] = [];
    const error = await new Promise<unknown>((resolve) =>
      batch.results$.subscribe({
        next: (r) => seen.push(r.index),
        error: resolve,
        complete: () => resolve(undefined),
      }),
    );
    expect(seen).toEqual([0]);
    expect(isBatchError(error)).toBe(true);
    expect(error).toMatchObject({
      commandIndex: 1,
      command: 'run',
      batchId: batch.id,
      activityId: activity.id,
      stderr: 'bad\n',
    });
    await node.close();
  });
});

describe('payments', () => {
  it('debit notes arrive on activity.debitNotes$ and are accepted against the allocation', async () => {
    const node = nodeOn(devnet);
    const { agreement, allocation } = await approvedAgreement(node, { debitNoteIntervalSec: 1 });
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    const [note] = await firstValueFrom(activity.debitNotes$.pipe(take(1), toArray()));
    expect(note!.parent).toBe(activity);
    expect(note!.data.activityId).toBe(activity.id);
    await note!.accept(allocation);
    const stats = devnet.stats() as unknown as { debitNotes: { accepted: number } };
    expect(stats.debitNotes.accepted).toBeGreaterThanOrEqual(1);
    expect((await node.debitNotes()).map((d) => d.id)).toContain(note!.id);
    await node.close();
  });

  it('the invoice arrives on agreement.invoice$ after termination, once even when its event is duplicated', async () => {
    devnet.faults.add({ kind: 'duplicatePaymentEvents' });
    const node = nodeOn(devnet);
    const announced: string[] = [];
    const watching = node.invoices$.subscribe((invoice) => announced.push(invoice.id));
    const { agreement, allocation } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    await activity.destroy();
    await agreement.terminate('Finished');
    const invoice = await firstValueFrom(agreement.invoice$);
    expect(invoice.parent).toBe(agreement);
    expect(agreement.children).toContain(invoice);
    await invoice.accept(allocation);
    const stats = devnet.stats() as unknown as { invoices: { accepted: number } };
    expect(stats.invoices.accepted).toBe(1);
    // A later invoice proves the order: the duplicated event(s) of the first came through before it.
    const later = await approvedAgreement(node);
    await later.agreement.terminate('Finished');
    const laterInvoice = await firstValueFrom(later.agreement.invoice$);
    await vi.waitFor(() => expect(announced).toContain(laterInvoice.id), { timeout: 10_000 });
    watching.unsubscribe();
    expect(announced).toEqual([invoice.id, laterInvoice.id]);
    expect(invoice.events.length).toBeGreaterThanOrEqual(1);
    expect((await node.invoices()).map((i) => i.id).sort()).toEqual([invoice.id, laterInvoice.id].sort());
    await node.close();
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });
});
