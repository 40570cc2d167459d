import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BatchNotFoundError } from '../../src/exeunit/BatchNotFoundError.js';
import { ExeUnit } from '../../src/exeunit/ExeUnit.js';
import type { ActivityState, RuntimeEvent } from '../../src/exeunit/exescript.js';
import { deploy, runToEnd, shell, start, virtualUnit } from './exeunitHelpers.js';
import { settle } from './helpers.js';

describe('ExeUnit: state machine', () => {
  it('starts Initialized, goes Initialized/Deployed → Deployed → Deployed/Ready → Ready, and deploy creates /golem', async () => {
    const { unit, scheduler } = virtualUnit({ timing: { deployMs: 100, startMs: 50 } });
    const states: ActivityState[] = [];
    unit.state$.subscribe((s) => states.push(s));
    expect(unit.state).toEqual({ state: ['Initialized', null] });
    const { results } = await runToEnd(unit, scheduler, [deploy, start, shell('true')]);
    expect(states.map((s) => s.state)).toEqual([
      ['Initialized', null],
      ['Initialized', 'Deployed'],
      ['Deployed', null],
      ['Deployed', 'Ready'],
      ['Ready', null],
      ['Ready', 'Ready'],
      ['Ready', null],
    ]);
    expect(scheduler.now()).toBe(150);
    expect(unit.fs.readdir('/golem')).toEqual(['input', 'output', 'work']);
    expect(JSON.parse(results[0]!.stdout as string)).toMatchObject({
      startMode: 'blocking',
      valid: { Ok: '' },
    });
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
  });

  it('refuses run before start and start before deploy with an Invalid state error', async () => {
    const { unit, scheduler } = virtualUnit();
    const { results } = await runToEnd(unit, scheduler, [shell('echo hi')]);
    expect(results).toEqual([
      expect.objectContaining({
        index: 0,
        result: 'Error',
        isBatchFinished: true,
        message: "Invalid state: 'run' requires Ready, activity is Initialized",
      }),
    ]);
    const second = await runToEnd(unit, scheduler, [start]);
    expect(second.results[0]!.message).toBe(
      "Invalid state: 'start' requires Deployed, activity is Initialized",
    );
    const third = await runToEnd(unit, scheduler, [deploy, deploy]);
    expect(third.results.map((r) => r.result)).toEqual(['Ok', 'Error']);
    expect(third.results[1]!.message).toBe(
      "Invalid state: 'deploy' requires Initialized, activity is Deployed",
    );
    const fourth = await runToEnd(unit, scheduler, [shell('echo early'), start, start]);
    expect(fourth.results[0]!.message).toBe("Invalid state: 'run' requires Ready, activity is Deployed");
    const fifth = await runToEnd(unit, scheduler, [start, deploy]);
    expect(fifth.results.map((r) => r.message)).toEqual([
      null,
      "Invalid state: 'deploy' requires Initialized, activity is Ready",
    ]);
    expect(unit.state.state).toEqual(['Ready', null]);
  });

  it('terminates on a terminate command; later commands fail and exec throws', async () => {
    const { unit, scheduler } = virtualUnit();
    const { results } = await runToEnd(unit, scheduler, [deploy, start, { terminate: {} }, shell('echo x')]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Error']);
    expect(unit.state.state).toEqual(['Terminated', null]);
    expect(() => unit.exec([deploy])).toThrow(
      expect.objectContaining({ name: 'ExeUnitStateError', state: 'Terminated' }),
    );
  });
});

describe('ExeUnit: batches', () => {
  it('runs commands in order, stops at the first error, and reports cumulative results', async () => {
    const { unit, scheduler } = virtualUnit();
    const { id, results } = await runToEnd(unit, scheduler, [
      deploy,
      start,
      shell('echo one'),
      shell('echo bad >&2; exit 2'),
      shell('echo never'),
    ]);
    expect(results.map(({ index, result, isBatchFinished }) => ({ index, result, isBatchFinished }))).toEqual(
      [
        { index: 0, result: 'Ok', isBatchFinished: false },
        { index: 1, result: 'Ok', isBatchFinished: false },
        { index: 2, result: 'Ok', isBatchFinished: false },
        { index: 3, result: 'Error', isBatchFinished: true },
      ],
    );
    expect(results[2]).toMatchObject({ stdout: 'one\n', stderr: null, message: null });
    expect(results[3]).toMatchObject({
      stdout: null,
      stderr: 'bad\n',
      message: 'ExeScript command exited with code 2',
    });
    expect(unit.results(id)).toEqual(results);
    const events = await lastValueFrom(unit.events$(id).pipe(toArray()));
    expect(events.some((e) => e.index === 4)).toBe(false);
  });

  it('marks the last command as finishing the batch, and every field is present', async () => {
    const { unit, scheduler } = virtualUnit();
    const { results } = await runToEnd(unit, scheduler, [
      deploy,
      start,
      { run: { entry_point: '/bin/true' } },
    ]);
    expect(results[2]).toEqual({
      index: 2,
      eventDate: new Date(0).toISOString(),
      result: 'Ok',
      stdout: null,
      stderr: null,
      message: null,
      isBatchFinished: true,
    });
  });

  it('waits for commandIndex, times out on the scheduler, and shows output only for that command', async () => {
    const { unit, scheduler } = virtualUnit();
    const id = unit.exec([deploy, start, shell('sleep 1; echo a'), shell('sleep 1; echo b')]);
    const second = await settle(scheduler, unit.waitForResults(id, 2, 5_000));
    expect(second.timedOut).toBe(false);
    expect(scheduler.now()).toBe(1_000);
    expect(second.results.map((r) => [r.index, r.stdout, r.isBatchFinished])).toEqual([
      [0, null, false],
      [1, null, false],
      [2, 'a\n', true],
    ]);
    const early = await settle(scheduler, unit.waitForResults(id, 3, 400));
    expect(early.timedOut).toBe(true);
    expect(scheduler.now()).toBe(1_400);
    expect(early.results).toHaveLength(3);
    const immediate = await unit.waitForResults(id, 3, 0);
    expect(immediate.timedOut).toBe(true);
    const all = await settle(scheduler, unit.waitForResults(id, undefined, 10_000));
    expect(all).toMatchObject({ timedOut: false });
    expect(scheduler.now()).toBe(2_000);
    expect(all.results.map((r) => r.stdout)).toEqual([
      expect.stringContaining('startMode'),
      null,
      'a\n',
      'b\n',
    ]);
  });

  it('reports a timed-out wait without commandIndex and resolves at once for a finished batch', async () => {
    const { unit, scheduler } = virtualUnit();
    const id = unit.exec([deploy, start, shell('sleep 10')]);
    const partial = await settle(scheduler, unit.waitForResults(id, undefined, 2_000));
    expect(partial.timedOut).toBe(true);
    expect(partial.results).toHaveLength(2);
    await settle(scheduler, unit.waitForResults(id, undefined, Infinity));
    expect(await unit.waitForResults(id, 1, 1_000)).toMatchObject({ timedOut: false });
  });

  it('rejects a wait when its signal aborts, and for an unknown batch', async () => {
    const { unit, scheduler } = virtualUnit();
    const id = unit.exec([deploy, start, shell('sleep 5')]);
    const controller = new AbortController();
    const waiting = unit.waitForResults(id, undefined, 60_000, controller.signal);
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    await expect(unit.waitForResults('f'.repeat(32), undefined, 0)).rejects.toBeInstanceOf(
      BatchNotFoundError,
    );
    expect(() => unit.results('nope')).toThrow(BatchNotFoundError);
    await expect(lastValueFrom(unit.events$('nope'))).rejects.toBeInstanceOf(BatchNotFoundError);
    await settle(scheduler, unit.waitForResults(id, undefined, Infinity));
  });

  it('runs batches one after another in submission order', async () => {
    const { unit, scheduler } = virtualUnit();
    const a = unit.exec([deploy, start, shell('sleep 1; echo a >> /golem/work/log')]);
    const b = unit.exec([shell('echo b >> /golem/work/log')]);
    expect(a).toMatch(/^[0-9a-z]{32}$/);
    await settle(scheduler, unit.waitForResults(b, undefined, Infinity));
    expect(unit.fs.readText('/golem/work/log')).toBe('a\nb\n');
  });

  it('creates 32-hex batch ids by default', () => {
    const unit = new ExeUnit();
    expect(unit.exec([deploy])).toMatch(/^[0-9a-f]{32}$/);
    unit.destroy();
  });
});

describe('ExeUnit: events', () => {
  it("emits started / stdout (stream capture) / finished in yagna's snake_case shape, replaying for late subscribers", async () => {
    const { unit, scheduler } = virtualUnit();
    const id = unit.exec([
      deploy,
      start,
      {
        run: {
          entry_point: '/bin/sh',
          args: ['-c', 'echo a; sleep 1; echo b >&2'],
          capture: { stdout: { stream: {} }, stderr: { stream: { format: 'binary' } } },
        },
      },
    ]);
    const live: RuntimeEvent[] = [];
    unit.events$(id).subscribe({ next: (e) => live.push(e) });
    await settle(scheduler, unit.waitForResults(id, undefined, Infinity));
    const replayed = await lastValueFrom(unit.events$(id).pipe(toArray()));
    expect(replayed).toEqual(live);
    const run = live.filter((e) => e.index === 2);
    expect(run.map((e) => e.kind)).toEqual([
      { started: { command: expect.objectContaining({ run: expect.anything() }) } },
      { stdout: 'a\n' },
      { stderr: [98, 10] },
      { finished: { return_code: 0, message: null } },
    ]);
    expect(run[0]).toMatchObject({ batch_id: id, index: 2, timestamp: '1970-01-01T00:00:00.000000000' });
    expect(run[2]!.timestamp).toBe('1970-01-01T00:00:01.000000000');
    expect(unit.results(id)[2]).toMatchObject({ stdout: 'a\n', stderr: [98, 10] });
  });

  it('discards output without capture (null results, no output events)', async () => {
    const { unit, scheduler } = virtualUnit();
    const { id, results } = await runToEnd(unit, scheduler, [
      deploy,
      start,
      { run: { entry_point: '/bin/echo', args: ['quiet'] } },
    ]);
    expect(results[2]).toMatchObject({ result: 'Ok', stdout: null, stderr: null });
    const events = await lastValueFrom(unit.events$(id).pipe(toArray()));
    expect(events.filter((e) => e.index === 2).map((e) => Object.keys(e.kind)[0])).toEqual([
      'started',
      'finished',
    ]);
  });

  it('applies atEnd parts and binary format', async () => {
    const { unit, scheduler } = virtualUnit();
    const { results } = await runToEnd(unit, scheduler, [
      deploy,
      start,
      {
        run: {
          entry_point: '/bin/echo',
          args: ['-n', '0123456789'],
          capture: { stdout: { atEnd: { part: { headTail: 4 } } } },
        },
      },
      {
        run: {
          entry_point: '/bin/echo',
          args: ['-n', 'AB'],
          capture: { stdout: { atEnd: { format: 'binary' } } },
        },
      },
    ]);
    expect(results[2]!.stdout).toBe('0189');
    expect(results[3]!.stdout).toEqual([65, 66]);
  });
});
