/**
 * Closing mid-batch, against devnet: the results$ of a batch still running end with a typed
 * `BatchError` (`nodeClosed`, `activityClosed`), never an empty completion (`lastValueFrom` used
 * to reject with `EmptyError`, `toArray` to give `[]`).
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { type BatchError, isBatchError } from '../../src/resources/errors/BatchError.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from '../resources/support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

const echo = { run: { entry_point: '/bin/sh', args: ['-c', 'echo first'] } };
const long = { run: { entry_point: '/bin/sh', args: ['-c', 'sleep 60 && echo never'] } };

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => error,
  );
}

describe('a batch when the node or its activity closes mid-batch', () => {
  it('node.close() while a long command runs: results$ errors with BatchError nodeClosed; nothing is left open', async () => {
    const node = nodeOn(devnet, { payments: false });
    const { agreement } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    const batch = await activity.exec([echo, long]);
    const seen: number[] = [];
    const last = failureOf(lastValueFrom(batch.results$.pipe(toArray())));
    const first = new Promise<void>((resolve, reject) =>
      batch.results$.subscribe({
        next: (r) => {
          seen.push(r.index);
          resolve();
        },
        error: () => undefined,
        complete: () => reject(new Error('completed')),
      }),
    );
    await first; // the first command is done, the second one is running
    const report = await node.close();
    const error = (await last) as BatchError;
    expect(isBatchError(error)).toBe(true);
    expect(error).toMatchObject({
      reason: 'nodeClosed',
      commandIndex: 1,
      command: 'run',
      batchId: batch.id,
      activityId: activity.id,
    });
    expect(seen).toEqual([0]);
    // a late subscriber gets the same story: the first result, then the error
    const late = await failureOf(lastValueFrom(batch.results$.pipe(toArray())));
    expect(late).toBe(error);
    expect(report.failures).toEqual([]);
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });

  it('activity.destroy() while a long command runs: results$ errors with BatchError activityClosed', async () => {
    const node = nodeOn(devnet, { payments: false });
    const { agreement } = await approvedAgreement(node);
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    const batch = await activity.exec([long]);
    const last = failureOf(lastValueFrom(batch.results$));
    await activity.destroy();
    const error = await last;
    expect(isBatchError(error) && error.reason).toBe('activityClosed');
    expect(error).toMatchObject({ commandIndex: 0, batchId: batch.id });
    await node.close();
  });
});
