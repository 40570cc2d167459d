import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandHandler } from '../../src/exeunit/index.js';
import type { ExeScriptCommandResultDto } from 'golem-rx';
import { eventually, script, sh, startActivityHarness } from './harness.js';
import type { Harness } from './harness.js';

const A = '/activity-api/v1';

/** A command that runs until the activity is destroyed. */
const block: CommandHandler = async (_args, ctx) => {
  await ctx.sleep(60_000);
};
/** A user command: greets its arguments and reads the deploy environment. */
const greet: CommandHandler = (args, ctx) => {
  ctx.stdout(`hello ${args.join(' ')} from ${ctx.env.WHO ?? 'nobody'}\n`);
  return args.length === 0 ? 3 : 0;
};

describe('devnet activity: lifecycle and batches', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startActivityHarness({ commands: { block, greet } });
  });
  afterEach(async () => h.close());

  const create = async (agreementId = h.market.add().agreementId): Promise<string> => {
    const res = await h.call('POST', `${A}/activity?timeout=5`, { agreementId });
    expect(res.status).toBe(200);
    return (res.body as { activityId: string }).activityId;
  };
  const exec = async (activityId: string, commands: unknown[]): Promise<string> => {
    const res = await h.call('POST', `${A}/activity/${activityId}/exec`, script(commands));
    expect(res.status).toBe(200);
    return res.body as string;
  };
  const results = async (
    activityId: string,
    batchId: string,
    query = '',
  ): Promise<ExeScriptCommandResultDto[]> => {
    const res = await h.call('GET', `${A}/activity/${activityId}/exec/${batchId}${query}`);
    expect(res.status).toBe(200);
    return res.body as ExeScriptCommandResultDto[];
  };

  it('creates an activity: object in, object out; string in, string out; Initialized at once (Real)', async () => {
    const agreement = h.market.add();
    const obj = await h.call('POST', `${A}/activity`, { agreementId: agreement.agreementId });
    expect(obj.status).toBe(200);
    const activityId = (obj.body as { activityId: string }).activityId;
    expect(activityId).toMatch(/^[0-9a-f]{32}$/);
    const str = await h.call('POST', `${A}/activity`, agreement.agreementId);
    expect(str.status).toBe(200);
    expect(typeof str.body).toBe('string');
    expect(str.body).not.toBe(activityId);
    expect((await h.call('GET', `${A}/activity/${activityId}/state`)).body).toEqual({
      state: ['Initialized', null],
    });
    expect((await h.call('GET', `${A}/activity/${activityId}/agreement`)).body).toBe(agreement.agreementId);
    const listed = await h.call('GET', `${A}/activity?agreementId=${agreement.agreementId}`);
    expect(listed.body).toEqual([activityId, str.body]);
    expect((await h.call('GET', `${A}/activity?agreementId=${'0'.repeat(64)}`)).body).toEqual([]);
  });

  it('refuses to create on an unknown (404), foreign (403) or unapproved (400) agreement, or a bad body (400)', async () => {
    expect((await h.call('POST', `${A}/activity`, { agreementId: 'f'.repeat(64) })).status).toBe(404);
    const foreign = h.market.add({ requestorId: '0x2222222222222222222222222222222222222222' });
    expect((await h.call('POST', `${A}/activity`, { agreementId: foreign.agreementId })).status).toBe(403);
    const pending = h.market.add({ state: 'Pending' });
    const res = await h.call('POST', `${A}/activity`, { agreementId: pending.agreementId });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain('Pending');
    const ended = h.market.add();
    h.market.setState(ended.agreementId, 'Terminated');
    expect((await h.call('POST', `${A}/activity`, { agreementId: ended.agreementId })).status).toBe(400);
    expect((await h.call('POST', `${A}/activity`, { nope: 1 })).status).toBe(400);
  });

  it('runs deploy, start and echo hello; polls results cumulatively; goes Ready', async () => {
    const activityId = await create();
    const batchId = await exec(activityId, [{ deploy: {} }, { start: {} }, sh('echo hello')]);
    expect(batchId).toMatch(/^[0-9a-f]{32}$/);
    const all = await results(activityId, batchId, '?timeout=5&commandIndex=2');
    expect(all.map((r) => [r.index, r.result])).toEqual([
      [0, 'Ok'],
      [1, 'Ok'],
      [2, 'Ok'],
    ]);
    expect(all[2]).toMatchObject({ stdout: 'hello\n', message: null, isBatchFinished: true });
    expect([null, '']).toContain(all[2]!.stderr);
    expect(all[0]!.isBatchFinished).toBe(false);
    expect(all[2]!.eventDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // without timeout: at once, everything so far
    expect((await results(activityId, batchId)).map((r) => r.index)).toEqual([0, 1, 2]);
    expect((await h.call('GET', `${A}/activity/${activityId}/state`)).body).toEqual({
      state: ['Ready', null],
    });
  });

  it('answers 408 when the awaited command does not finish in time, partial results without commandIndex', async () => {
    const activityId = await create();
    const batchId = await exec(activityId, [
      { deploy: {} },
      { start: {} },
      { run: { entry_point: 'block' } },
    ]);
    const timedOut = await h.call(
      'GET',
      `${A}/activity/${activityId}/exec/${batchId}?timeout=0.2&commandIndex=2`,
    );
    expect(timedOut.status).toBe(408);
    expect(timedOut.body).toEqual({ message: 'Timeout' });
    const partial = await results(activityId, batchId, '?timeout=0.2');
    expect(partial.map((r) => r.index)).toEqual([0, 1]);
    const first = await results(activityId, batchId, '?timeout=1&commandIndex=0');
    expect(first).toHaveLength(1);
    expect(first[0]!.isBatchFinished).toBe(true);
    // the running command, then destroy: the command fails and the batch ends
    const running = await h.call('GET', `${A}/activity/${activityId}/command`);
    expect(running.body).toEqual([{ batchId, command: 'run', params: ['block'] }]);
    const destroyed = await h.call('DELETE', `${A}/activity/${activityId}?timeout=10`);
    expect(destroyed.status).toBe(200);
    expect(destroyed.text).toBe('null');
    const final = await results(activityId, batchId, '?timeout=5&commandIndex=2');
    expect(final[2]).toMatchObject({ result: 'Error', isBatchFinished: true });
    expect((await h.call('GET', `${A}/activity/${activityId}/state`)).body).toMatchObject({
      state: ['Terminated', null],
    });
    expect((await h.call('GET', `${A}/activity/${activityId}/command`)).status).toBe(404);
    const late = await h.call('POST', `${A}/activity/${activityId}/exec`, script([sh('true')]));
    expect(late.status).toBe(400);
  });

  it('ends a batch at the first error, and answers 400 on an unparseable ExeScript', async () => {
    const activityId = await create();
    const batchId = await exec(activityId, [
      { deploy: {} },
      { start: {} },
      sh('echo out; echo err >&2; exit 7'),
      sh('echo never'),
    ]);
    const all = await results(activityId, batchId, '?timeout=5');
    expect(all).toHaveLength(3);
    expect(all[2]).toMatchObject({
      result: 'Error',
      stdout: 'out\n',
      stderr: 'err\n',
      isBatchFinished: true,
    });
    for (const text of ['not json', '[]', '[{"bogus":{}}]', '[{"run":{"args":[]}}]']) {
      const res = await h.call('POST', `${A}/activity/${activityId}/exec`, { text });
      expect(res.status, text).toBe(400);
    }
    expect((await h.call('POST', `${A}/activity/${activityId}/exec`, { script: '[]' })).status).toBe(400);
    expect(
      (await h.call('POST', `${A}/activity/${'0'.repeat(32)}/exec`, script([{ deploy: {} }]))).status,
    ).toBe(404);
    expect((await h.call('GET', `${A}/activity/${activityId}/exec/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await h.call('GET', `${A}/activity/${'0'.repeat(32)}/state`)).status).toBe(404);
  });

  it('runs a custom command handler registered from code', async () => {
    const activityId = await create();
    const batchId = await exec(activityId, [
      { deploy: { env: { WHO: 'devnet' } } },
      { start: {} },
      { run: { entry_point: '/usr/bin/greet', args: ['world'], capture: { stdout: { atEnd: {} } } } },
      sh('greet'),
    ]);
    const all = await results(activityId, batchId, '?timeout=5');
    expect(all[2]).toMatchObject({ result: 'Ok', stdout: 'hello world from devnet\n' });
    expect(all[3]).toMatchObject({ result: 'Error', message: expect.stringContaining('3') });
  });

  it('reports usage in the order of the usage vector, advancing with time', async () => {
    const activityId = await create();
    const u1 = (await h.call('GET', `${A}/activity/${activityId}/usage`)).body as {
      currentUsage: number[];
      timestamp: number;
    };
    expect(u1.currentUsage).toHaveLength(2);
    expect(Number.isInteger(u1.timestamp)).toBe(true);
    const batchId = await exec(activityId, [
      { deploy: {} },
      { start: {} },
      { run: { entry_point: 'sleep', args: ['0.2'] } },
    ]);
    await results(activityId, batchId, '?timeout=5');
    const u2 = (await h.call('GET', `${A}/activity/${activityId}/usage`)).body as { currentUsage: number[] };
    // [cpu_sec, duration_sec]: both grew, cpu by at least the sleep
    expect(u2.currentUsage[1]!).toBeGreaterThan(u1.currentUsage[1]!);
    expect(u2.currentUsage[0]!).toBeGreaterThanOrEqual(0.2);
    expect(h.activities.usageOf(activityId)).toHaveLength(2);
  });

  it('terminates the activities of an agreement that ends, and reports them by state', async () => {
    const agreement = h.market.add();
    const a = await create(agreement.agreementId);
    const b = await create(agreement.agreementId);
    await exec(b, [{ deploy: {} }]);
    h.market.setState(agreement.agreementId, 'Terminated');
    for (const id of [a, b]) {
      const state = await eventually(async () => {
        const body = (await h.call('GET', `${A}/activity/${id}/state`)).body as { state: string[] };
        return body.state[0] === 'Terminated' ? body : undefined;
      });
      expect(state.state).toEqual(['Terminated', null]);
    }
    expect(h.modules[0]!.stats()).toMatchObject({ activities: { total: 2, Terminated: 2 } });
    // destroy of a terminated activity is harmless
    expect((await h.call('DELETE', `${A}/activity/${a}`)).status).toBe(200);
    expect((await h.call('DELETE', `${A}/activity/${'0'.repeat(32)}`)).status).toBe(404);
  });
});
