import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExeScriptCommandResultDto } from 'golem-rx';
import {
  OTHER_PROVIDER,
  PROVIDER,
  eventually,
  offerProperties,
  script,
  sh,
  startActivityHarness,
} from './harness.js';
import type { Harness } from './harness.js';

const A = '/activity-api/v1';

describe('devnet activity: provider faults', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startActivityHarness();
  });
  afterEach(async () => h.close());

  const rent = async (provider = PROVIDER): Promise<{ agreementId: string; activityId: string }> => {
    const agreement = h.market.add({
      providerId: provider.id,
      providerName: provider.name,
      offerProperties: offerProperties(provider),
    });
    const res = await h.call('POST', `${A}/activity`, { agreementId: agreement.agreementId });
    return {
      agreementId: agreement.agreementId,
      activityId: (res.body as { activityId: string }).activityId,
    };
  };
  const run = async (activityId: string, commands: unknown[]): Promise<ExeScriptCommandResultDto[]> => {
    const batchId = (await h.call('POST', `${A}/activity/${activityId}/exec`, script(commands)))
      .body as string;
    return (await h.call('GET', `${A}/activity/${activityId}/exec/${batchId}?timeout=5`))
      .body as ExeScriptCommandResultDto[];
  };

  it('crashActivity: the batch fails, the activity dies, the provider terminates the agreement', async () => {
    const { agreementId, activityId } = await rent();
    h.faults.add({ kind: 'crashActivity', providers: [PROVIDER.name] });
    const results = await run(activityId, [{ deploy: {} }, { start: {} }]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ index: 0, result: 'Error', isBatchFinished: true });
    expect(results[0]!.message).toMatch(/crash/i);
    const termination = await eventually(() => h.market.terminations[0]);
    expect(termination).toEqual({
      agreementId,
      reason: {
        code: 'InitializationError',
        message: expect.stringContaining(`Activity [${activityId}] crashed`),
      },
    });
    const state = await eventually(async () => {
      const body = (await h.call('GET', `${A}/activity/${activityId}/state`)).body as {
        state: string[];
        reason?: string;
      };
      return body.state[0] === 'Terminated' ? body : undefined;
    });
    expect(state.state).toEqual(['Terminated', null]);
    expect((await h.call('POST', `${A}/activity/${activityId}/exec`, script([{ deploy: {} }]))).status).toBe(
      400,
    );
  });

  it('crashActivity only hits the providers it names', async () => {
    h.faults.add({ kind: 'crashActivity', providers: [OTHER_PROVIDER.id] });
    const { activityId } = await rent(PROVIDER);
    const results = await run(activityId, [{ deploy: {} }, { start: {} }, sh('echo ok')]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    expect(h.market.terminations).toEqual([]);
  });

  it('failCommand: a command fails, the batch ends, the activity lives on', async () => {
    const { activityId } = await rent();
    expect((await run(activityId, [{ deploy: {} }, { start: {} }])).map((r) => r.result)).toEqual([
      'Ok',
      'Ok',
    ]);
    h.faults.add({ kind: 'failCommand' });
    const failed = await run(activityId, [sh('echo one'), sh('echo two')]);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ result: 'Error', isBatchFinished: true });
    expect(failed[0]!.message).toMatch(/fault/i);
    h.faults.clear();
    const ok = await run(activityId, [sh('echo again')]);
    expect(ok[0]).toMatchObject({ result: 'Ok', stdout: 'again\n' });
    expect((await h.call('GET', `${A}/activity/${activityId}/state`)).body).toEqual({
      state: ['Ready', null],
    });
    expect(h.market.terminations).toEqual([]);
  });
});
