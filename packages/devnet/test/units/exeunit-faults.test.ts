import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { isExeUnitStateError } from '../../src/exeunit/ExeUnitStateError.js';
import { AT_END, deploy, runToEnd, shell, start, virtualUnit } from './exeunitHelpers.js';
import { settle } from './helpers.js';

describe('ExeUnit: faults, crash and destroy', () => {
  it('crashes at the command a fault hook picks: that command fails, the activity is Terminated', async () => {
    const seen: [string, number, string][] = [];
    const { unit, scheduler } = virtualUnit({
      faults: {
        beforeCommand: (batchId, index, command) => {
          seen.push([batchId, index, Object.keys(command)[0]!]);
          return index === 2 ? 'crash' : undefined;
        },
      },
    });
    const { id, results } = await runToEnd(unit, scheduler, [
      deploy,
      start,
      shell('echo x'),
      shell('echo y'),
    ]);
    expect(seen.map(([, i, c]) => `${i}:${c}`)).toEqual(['0:deploy', '1:start', '2:run']);
    expect(seen[0]![0]).toBe(id);
    expect(results[2]).toMatchObject({
      result: 'Error',
      isBatchFinished: true,
      message: 'ExeUnit crashed (fault injected)',
    });
    expect(results).toHaveLength(3);
    expect(unit.state).toEqual({
      state: ['Terminated', null],
      reason: 'Crashed',
      errorMessage: 'ExeUnit crashed (fault injected)',
    });
    let thrown: unknown;
    try {
      unit.exec([deploy]);
    } catch (err) {
      thrown = err;
    }
    expect(isExeUnitStateError(thrown)).toBe(true);
  });

  it('fails the command when a fault hook throws a non-Error, and finishes the batch', async () => {
    const { unit, scheduler } = virtualUnit({
      faults: {
        beforeCommand: (_b, i) => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
          if (i === 1) throw null;
          return undefined;
        },
      },
    });
    const { results } = await runToEnd(unit, scheduler, [deploy, start, shell('echo z')]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Error']);
    expect(results[1]).toMatchObject({ message: 'fault hook failed: null', isBatchFinished: true });
  });

  it('can leave a crashed activity Unresponsive', async () => {
    const { unit, scheduler } = virtualUnit({
      faults: { beforeCommand: () => 'crash', crashState: 'Unresponsive' },
    });
    await runToEnd(unit, scheduler, [deploy]);
    expect(unit.state.state).toEqual(['Unresponsive', null]);
    expect(() => unit.exec([deploy])).toThrow(/Unresponsive/);
    unit.destroy();
    expect(unit.state.state).toEqual(['Terminated', null]);
  });

  it('fails one command on a fail fault and keeps the activity usable', async () => {
    const { unit, scheduler } = virtualUnit({
      faults: { beforeCommand: (_b, i) => (i === 1 ? 'fail' : undefined) },
    });
    const { results } = await runToEnd(unit, scheduler, [deploy, start, shell('echo z')]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Error']);
    expect(results[1]!.message).toBe('Command failed (fault injected)');
    expect(unit.state.state).toEqual(['Deployed', null]);
  });

  it('interrupts the running command on crash(), finishing its batch', async () => {
    const { unit, scheduler } = virtualUnit();
    const id = unit.exec([deploy, start, shell('sleep 100; echo late')]);
    await settle(scheduler, unit.waitForResults(id, 1, Infinity));
    await vi.waitFor(() =>
      expect(unit.runningCommand()).toEqual({
        batchId: id,
        command: 'run',
        params: ['/bin/sh', '-c', 'sleep 100; echo late'],
      }),
    );
    unit.crash('power cut');
    const { results } = await settle(scheduler, unit.waitForResults(id, undefined, Infinity));
    expect(results[2]).toMatchObject({
      result: 'Error',
      message: 'power cut',
      stdout: null,
      isBatchFinished: true,
    });
    expect(scheduler.now()).toBe(0);
    expect(unit.runningCommand()).toBeUndefined();
  });

  it('destroy() aborts the running batch and fails queued ones; events complete', async () => {
    const { unit, scheduler } = virtualUnit();
    const first = unit.exec([deploy, start, shell('sleep 100')]);
    const second = unit.exec([shell('echo never')]);
    const events = lastValueFrom(unit.events$(second).pipe(toArray()));
    await settle(scheduler, unit.waitForResults(first, 1, Infinity));
    unit.destroy();
    const a = await settle(scheduler, unit.waitForResults(first, undefined, Infinity));
    const b = await settle(scheduler, unit.waitForResults(second, undefined, Infinity));
    expect(a.results[2]).toMatchObject({ result: 'Error', message: 'Activity destroyed' });
    expect(b.results).toEqual([
      expect.objectContaining({
        index: 0,
        result: 'Error',
        message: 'Activity destroyed',
        isBatchFinished: true,
      }),
    ]);
    expect(await events).toEqual([]);
    expect(unit.state).toEqual({ state: ['Terminated', null], reason: 'Destroyed' });
    unit.destroy();
  });
});

describe('ExeUnit: handlers and usage', () => {
  it('invokes a registered handler as a run entry point and as a shell word', async () => {
    const { unit, scheduler } = virtualUnit({
      handlers: {
        render: async (args, ctx) => {
          await ctx.sleep(500);
          ctx.fs.writeFile('/golem/output/frame.png', `frame ${args.join(' ')}`);
          ctx.stdout(`rendered ${ctx.env['QUALITY']}\n`);
        },
        boom: () => {
          throw new Error('GPU on fire');
        },
      },
    });
    const { results } = await runToEnd(unit, scheduler, [
      { deploy: { env: { QUALITY: 'high' } } },
      start,
      { run: { entry_point: 'render', args: ['1'], capture: AT_END } },
      shell('render 2 && cat /golem/output/frame.png'),
      { run: { entry_point: 'boom', capture: AT_END } },
    ]);
    expect(results.map((r) => r.stdout)).toEqual([
      expect.any(String),
      null,
      'rendered high\n',
      'rendered high\nframe 2',
      null,
    ]);
    expect(results[4]).toMatchObject({
      result: 'Error',
      stderr: 'boom: GPU on fire\n',
      message: 'boom: GPU on fire',
    });
    expect(scheduler.now()).toBe(1_000);
  });

  it('passes run env (a devnet extension) over the deploy env', async () => {
    const { unit, scheduler } = virtualUnit({ env: { BASE: 'b' } });
    const { results } = await runToEnd(unit, scheduler, [
      { deploy: { env: { A: '1', B: '1' } } },
      start,
      shell('echo $BASE $A $B', { env: { B: '2' } }),
    ]);
    expect(results[2]!.stdout).toBe('b 1 2\n');
  });

  it('counts duration and busy CPU time on the scheduler clock, frozen after destroy', async () => {
    const { unit, scheduler } = virtualUnit({ cpuThreads: 2 });
    await runToEnd(unit, scheduler, [deploy, start, shell('sleep 3')]);
    const idle = unit.exec([shell('true')]);
    await settle(scheduler, unit.waitForResults(idle, undefined, Infinity));
    scheduler.maxFrames = Infinity;
    scheduler.schedule(() => undefined, 2_000);
    scheduler.flush();
    expect(unit.usage).toEqual({ durationSec: 5, cpuSec: 6, timestamp: 5 });
    expect(unit.usageVector(['golem.usage.cpu_sec', 'golem.usage.duration-sec', 'golem.usage.gib'])).toEqual([
      6, 5, 0,
    ]);
    unit.destroy();
    scheduler.schedule(() => undefined, 1_000);
    scheduler.flush();
    expect(unit.usage).toMatchObject({ durationSec: 5, cpuSec: 6, timestamp: 6 });
  });
});
