/**
 * A job's tasks on a JetStream work queue (golem-rx/nats), against a real nats-server, with the
 * engine faked (the 3-process test on devnet is jobs3.test.ts): round trip and cleanup, bad
 * input, backpressure, nak and redelivery, deliveries exhausted, dedupe, a dead process's tasks
 * handed on, heartbeats, cancellation and resumption, unusable data.
 */
import { jetstream } from '@nats-io/jetstream';
import {
  ReplaySubject,
  Subject,
  filter,
  firstValueFrom,
  lastValueFrom,
  map,
  tap,
  toArray,
  type Subscription,
} from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Task, TaskRejectedError, WorkerFailedError } from 'golem-rx/engine';
import {
  type JobOutcome,
  type NatsLink,
  ackTasks,
  cancelJob,
  connectNats,
  isJobInputError,
  isJobMessageError,
  isJobQueueError,
  isJobTaskFailedError,
  natsTasks,
  submitJob,
} from 'golem-rx/nats';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';
import { type Verdict, countingScheduler, fakeEngine, jobExists, jobState } from './fixtures/jobsFakes.js';

const asNumber = (value: unknown): number => {
  if (typeof value !== 'number') throw new TypeError(`not a number: ${JSON.stringify(value)}`);
  return value;
};
const double = (task: Task<number, number>): Verdict<number> => ({ ok: true, result: task.data * 2 });
let jobCount = 0;
const nextJob = (): string => `job-${++jobCount}`;

describe('job options', () => {
  it('refuses bad options synchronously, with RangeError', () => {
    const link = {} as NatsLink;
    expect(() => submitJob(link, { job: 'a.b', tasks: [], decode: asNumber })).toThrow(RangeError);
    expect(() => submitJob(link, { job: 'ok', tasks: [], decode: asNumber, maxDeliveries: 0 })).toThrow(
      /maxDeliveries/,
    );
    expect(() => submitJob(link, { job: 'ok', tasks: 3 as unknown as number[], decode: asNumber })).toThrow(
      /iterable/,
    );
    expect(() => natsTasks(link, { job: '', decode: asNumber })).toThrow(RangeError);
    expect(() => natsTasks(link, { job: 'ok', decode: asNumber, capacity: 0 })).toThrow(/capacity/);
    expect(() => natsTasks(link, { job: 'ok', decode: asNumber, pollTimeoutMs: 10 })).toThrow(
      /pollTimeoutMs/,
    );
    expect(() => natsTasks(link, { job: 'ok', decode: 'x' as unknown as () => number })).toThrow(/decode/);
  });
});

describe.runIf(!hasNatsServer && natsServerRequired)('jobs on NATS in CI', () => {
  it('has a nats-server (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

describe.skipIf(!hasNatsServer)('a job on nats-server', () => {
  let server: NatsServerHandle;
  let link: NatsLink;
  const live: Subscription[] = [];
  const links: NatsLink[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    link = await connectNats({ servers: server.url, reconnectTimeWaitMs: 50 });
  });
  afterEach(async () => {
    for (const s of live.splice(0)) s.unsubscribe();
    for (const l of links.splice(0)) await l.close();
  });
  afterAll(async () => {
    await link?.close();
    await server?.stop();
  });

  /** A second connection, as another process would have. */
  async function otherProcess(): Promise<NatsLink> {
    const other = await connectNats({ servers: server.url, reconnectTimeWaitMs: 50 });
    links.push(other);
    return other;
  }

  it('runs every task once, returns one outcome per task, then deletes the job', async () => {
    const job = nextJob();
    const tasks = Array.from({ length: 20 }, (_, i) => new Task<number, number>(i, { id: `t${i}` }));
    const outcomes = lastValueFrom(submitJob(link, { job, tasks, decode: asNumber }).pipe(toArray()));
    const worker = lastValueFrom(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 }).pipe(
        fakeEngine(double),
        ackTasks(),
        toArray(),
      ),
    );
    const got = await outcomes;
    expect(got.map((o) => o.taskId).sort()).toEqual(tasks.map((t) => t.id).sort());
    for (const o of got) {
      expect(o.type).toBe('taskFinished');
      if (o.type === 'taskFinished') {
        expect(o.result).toBe(Number(o.taskId.slice(1)) * 2);
        expect(o).toMatchObject({ providerId: 'prov-fake', attempt: 1, deliveries: 1 });
      }
    }
    // the worker's source completes with the job; the job's streams are gone
    expect((await worker).filter((e) => e.type === 'taskFinished')).toHaveLength(20);
    expect(await jobExists(link, job)).toBe(false);
  });

  it('gives plain data ids by index, and carries a Task’s timeout and expires to the worker', async () => {
    const job = nextJob();
    const seen: Task<number, number>[] = [];
    const outcomes = lastValueFrom(
      submitJob(link, {
        job,
        tasks: [5, new Task(6, { id: 'six', timeout: 1234, expires: 9e12 }), 7],
        decode: asNumber,
      }).pipe(toArray()),
    );
    live.push(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task) => {
            seen.push(task);
            return double(task);
          }),
          ackTasks(),
        )
        .subscribe(),
    );
    expect((await outcomes).map((o) => o.taskId).sort()).toEqual(['0', '2', 'six']);
    const six = seen.find((t) => t.id === 'six');
    expect(six).toMatchObject({ data: 6, timeout: 1234, expires: 9e12 });
    expect(seen.find((t) => t.id === '0')).toMatchObject({ data: 5, timeout: undefined, expires: undefined });
  });

  it('refuses duplicate ids, data JSON cannot hold, data too large, before publishing anything', async () => {
    const job = nextJob();
    const duplicate: unknown = await lastValueFrom(
      submitJob(link, { job, tasks: [new Task(1, { id: 'x' }), new Task(2, { id: 'x' })], decode: asNumber }),
    ).catch((e: unknown) => e);
    expect(isJobInputError(duplicate)).toBe(true);
    expect(duplicate).toMatchObject({ problem: 'duplicateId', taskId: 'x', job });
    const unencodable: unknown = await lastValueFrom(
      submitJob(link, { job, tasks: [1, 2n], decode: asNumber }),
    ).catch((e: unknown) => e);
    expect(unencodable).toMatchObject({ name: 'JobInputError', problem: 'unencodable', taskId: '1' });
    const huge: unknown = await lastValueFrom(
      submitJob(link, { job, tasks: ['small', 'x'.repeat(2_000_000)], decode: asNumber }),
    ).catch((e: unknown) => e);
    expect(huge).toMatchObject({ name: 'JobInputError', problem: 'tooLarge', taskId: '1' });
    expect(await jobExists(link, job)).toBe(false);
  });

  it('completes an empty job at once; a worker errors on a message that is not a task, and takes it off', async () => {
    const job = nextJob();
    expect(
      await lastValueFrom(submitJob(link, { job, tasks: [], decode: asNumber, keep: true }).pipe(toArray())),
    ).toEqual([]);
    await jetstream(link.connection).publish(`golemrx.job.${job}.tasks`, 'not json');
    const error: unknown = await lastValueFrom(
      natsTasks(link, { job, decode: asNumber, pollTimeoutMs: 1000 }),
    ).catch((e: unknown) => e);
    expect(isJobMessageError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'task', job });
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ queued: 0, ackPending: 0 });
    await cancelJob(link, job);
    expect(await jobExists(link, job)).toBe(false);
  });

  it('fails typed, without the token, when the connection is closed', async () => {
    const guarded = await startNatsServer({ token: 'tk-jobs-secret' });
    try {
      const closed = await connectNats({ servers: guarded.url, token: 'tk-jobs-secret' });
      await closed.close();
      const job = nextJob();
      const failures = await Promise.all([
        lastValueFrom(submitJob(closed, { job, tasks: [1], decode: asNumber })).catch((e: unknown) => e),
        lastValueFrom(natsTasks(closed, { job, decode: asNumber })).catch((e: unknown) => e),
        cancelJob(closed, job).catch((e: unknown) => e),
      ]);
      for (const failure of failures) {
        expect(isJobQueueError(failure)).toBe(true);
        const error = failure as Error & { cause: Error };
        expect(`${error.message} ${error.cause.message} ${JSON.stringify(error)}`).not.toContain(
          'tk-jobs-secret',
        );
      }
    } finally {
      await guarded.stop();
    }
  });

  it('pulls no more than its capacity: the rest stays for the other processes', async () => {
    const job = nextJob();
    const release = new Subject<string>();
    const outcomes = lastValueFrom(
      submitJob(link, { job, tasks: Array.from({ length: 10 }, (_, i) => i), decode: asNumber }).pipe(
        toArray(),
      ),
    );
    const taken: string[] = [];
    live.push(
      natsTasks<number, number>(link, { job, decode: asNumber, capacity: 2, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task) => {
            taken.push(task.id);
            return release.pipe(
              filter((id) => id === task.id),
              map(() => double(task)),
            );
          }),
          ackTasks(),
        )
        .subscribe(),
    );
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ ackPending: 2, pending: 8 });
    expect(taken).toHaveLength(2);
    release.next(taken[0]!);
    await expect.poll(() => taken.length, { timeout: 10_000 }).toBe(3);
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ ackPending: 2, pending: 7, queued: 9 });
    // another process takes its share meanwhile
    const other = await otherProcess();
    live.push(
      natsTasks<number, number>(other, { job, decode: asNumber, capacity: 3, pollTimeoutMs: 1000 })
        .pipe(fakeEngine(double), ackTasks())
        .subscribe(),
    );
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ pending: 0, ackPending: 2, queued: 2 });
    for (const id of taken.slice(1)) release.next(id);
    expect(await outcomes).toHaveLength(10);
  });

  it('naks a task that failed here (handed out again), and fails it after maxDeliveries', async () => {
    const job = nextJob();
    const failedOnce = new Set<string>();
    const outcomes = lastValueFrom(
      submitJob(link, {
        job,
        tasks: [new Task(1, { id: 'flaky' }), new Task(2, { id: 'broken' }), new Task(3, { id: 'refused' })],
        decode: asNumber,
        maxDeliveries: 2,
      }).pipe(toArray()),
    );
    const workerError = new WorkerFailedError({ providerId: 'p', activityId: 'a', failure: 'threw' });
    live.push(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task): Verdict<number> => {
            if (task.id === 'flaky' && !failedOnce.has(task.id)) {
              failedOnce.add(task.id);
              return { ok: false, error: workerError };
            }
            if (task.id === 'broken') return { ok: false, error: workerError };
            if (task.id === 'refused')
              return {
                ok: false,
                error: new TaskRejectedError({
                  taskId: task.id,
                  providerId: 'p',
                  reason: 'bad input',
                  retry: false,
                }),
              };
            return double(task);
          }),
          ackTasks(),
        )
        .subscribe(),
    );
    const byId = new Map((await outcomes).map((o) => [o.taskId, o]));
    expect(byId.get('flaky')).toMatchObject({ type: 'taskFinished', result: 2, deliveries: 2 });
    const broken = byId.get('broken');
    expect(broken).toMatchObject({ type: 'taskFailed', deliveries: 2 });
    expect(
      broken?.type === 'taskFailed' && isJobTaskFailedError(broken.error) && broken.error.remoteName,
    ).toBe('WorkerFailedError');
    const refused = byId.get('refused');
    expect(refused).toMatchObject({ type: 'taskFailed', deliveries: 1 });
    expect(refused?.type === 'taskFailed' && refused.error.message).toMatch(/TaskRejectedError: .*bad input/);
  });

  it('counts one outcome per task id, however many results come (dedupe)', async () => {
    const job = nextJob();
    const outcomes: JobOutcome<number>[] = [];
    const gate = new ReplaySubject<void>(1);
    const done = lastValueFrom(
      submitJob(link, {
        job,
        tasks: [new Task(1, { id: 'a' }), new Task(2, { id: 'b' })],
        decode: asNumber,
      }).pipe(map((o) => outcomes.push(o))),
    );
    live.push(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task) => (task.id === 'a' ? double(task) : gate.pipe(map(() => double(task))))),
          ackTasks(),
        )
        .subscribe(),
    );
    await expect.poll(() => outcomes.length, { timeout: 10_000 }).toBe(1);
    // a second result for a (a process finished it again): published under another message id
    const second = JSON.stringify({
      v: 1,
      id: 'a',
      worker: 'w2',
      deliveries: 2,
      ok: true,
      result: 99,
      providerId: 'p2',
      attempt: 1,
    });
    const js = jetstream(link.connection);
    await js.publish(`golemrx.job.${job}.result.${Buffer.from('a').toString('base64url')}`, second, {
      msgID: 'again',
    });
    gate.next();
    await done;
    expect(outcomes.map((o) => o.taskId).sort()).toEqual(['a', 'b']);
    expect(outcomes.find((o) => o.taskId === 'a')).toMatchObject({
      result: 2,
      worker: expect.not.stringMatching(/^w2$/),
    });
  });

  it('hands a dead process’s tasks to another once the ack wait passes; skips one already finished', async () => {
    const job = nextJob();
    const outcomes = lastValueFrom(
      submitJob(link, { job, tasks: [1, 2, 3], decode: asNumber, ackWaitMs: 1000 }).pipe(toArray()),
    );
    const doomed = await otherProcess();
    const held: string[] = [];
    const doomedErrors: unknown[] = [];
    live.push(
      natsTasks<number, number>(doomed, { job, decode: asNumber, capacity: 3, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task) => {
            held.push(task.id);
            return new Subject<Verdict<number>>(); // never settles
          }),
          ackTasks(),
        )
        .subscribe({ error: (e: unknown) => doomedErrors.push(e) }),
    );
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(3);
    // it published task 0's result, then died before its ack: its connection drops, nothing nak'd
    const result = {
      v: 1,
      id: '0',
      worker: 'doomed',
      deliveries: 1,
      ok: true,
      result: 2,
      providerId: 'p',
      attempt: 1,
    };
    await jetstream(doomed.connection).publish(
      `golemrx.job.${job}.result.${Buffer.from('0').toString('base64url')}`,
      JSON.stringify(result),
      {
        msgID: Buffer.from('0').toString('base64url'),
      },
    );
    await doomed.connection.close();
    await expect.poll(() => doomedErrors, { timeout: 10_000 }).toMatchObject([{ name: 'JobQueueError' }]);
    const ran: string[] = [];
    const survivor = await lastValueFrom(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 }).pipe(
        fakeEngine((task) => {
          ran.push(task.id);
          return double(task);
        }),
        ackTasks(),
        toArray(),
      ),
    );
    expect(ran.sort()).toEqual(['1', '2']); // task 0 was acked without running again
    expect(survivor.filter((e) => e.type === 'taskFinished')).toHaveLength(2);
    const byId = new Map((await outcomes).map((o) => [o.taskId, o]));
    expect(byId.get('0')).toMatchObject({ type: 'taskFinished', worker: 'doomed', deliveries: 1 });
    expect(byId.get('1')).toMatchObject({ type: 'taskFinished', deliveries: 2 });
    expect(byId.get('2')).toMatchObject({ type: 'taskFinished', deliveries: 2 });
  });

  it('keeps a task it holds past the ack wait (heartbeats): no other process gets it', async () => {
    const job = nextJob();
    const release = new Subject<void>();
    const outcomes = lastValueFrom(
      submitJob(link, { job, tasks: [1], decode: asNumber, ackWaitMs: 900 }).pipe(toArray()),
    );
    const clock = countingScheduler();
    let holding = false;
    live.push(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000, scheduler: clock })
        .pipe(
          fakeEngine((task) => {
            holding = true;
            return release.pipe(map(() => double(task)));
          }),
          ackTasks(),
        )
        .subscribe(),
    );
    await expect.poll(() => holding, { timeout: 10_000 }).toBe(true);
    // another process pulls all along
    const other = await otherProcess();
    const stolen: string[] = [];
    live.push(
      natsTasks<number, number>(other, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task) => {
            stolen.push(task.id);
            return double(task);
          }),
          ackTasks(),
        )
        .subscribe(),
    );
    const from = clock.runs;
    // 12 heartbeats, one every ack wait / 3: four ack waits held
    await expect.poll(() => clock.runs - from, { timeout: 15_000 }).toBeGreaterThanOrEqual(12);
    expect(stolen).toEqual([]);
    expect(await jobState(link, job)).toMatchObject({ redelivered: 0, ackPending: 1 });
    release.next();
    expect(await outcomes).toMatchObject([{ type: 'taskFinished', deliveries: 1 }]);
  });

  it('hands the tasks held back at once when a worker unsubscribes', async () => {
    const job = nextJob();
    const outcomes = lastValueFrom(
      submitJob(link, { job, tasks: [1, 2], decode: asNumber, ackWaitMs: 60_000 }).pipe(toArray()),
    );
    const held: string[] = [];
    const quitter = natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 })
      .pipe(
        fakeEngine((task) => {
          held.push(task.id);
          return new Subject<Verdict<number>>();
        }),
        ackTasks(),
      )
      .subscribe();
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(2);
    quitter.unsubscribe();
    const other = await otherProcess();
    live.push(
      natsTasks<number, number>(other, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(fakeEngine(double), ackTasks())
        .subscribe(),
    );
    // well before the 60 s ack wait
    // nak'd at once (a pull of the quitter's still open may take one and hand it back again)
    for (const o of await outcomes) {
      expect(o.type).toBe('taskFinished');
      expect(o.deliveries).toBeGreaterThanOrEqual(2);
    }
  });

  it('leaves the job when the submitter unsubscribes, and resumes it without publishing again', async () => {
    const job = nextJob();
    const tasks = [1, 2, 3];
    const first: JobOutcome<number>[] = [];
    const seen: string[] = [];
    const follower = submitJob(link, { job, tasks, decode: asNumber }).subscribe((o) => first.push(o));
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ queued: 3, results: 1 }); // 3 tasks, the seal
    follower.unsubscribe();
    const release = new Subject<void>();
    live.push(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine((task) => {
            seen.push(task.id);
            return release.pipe(map(() => double(task)));
          }),
          ackTasks(),
        )
        .subscribe(),
    );
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(3);
    expect(await jobState(link, job)).toMatchObject({ ackPending: 3 });
    release.next();
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ queued: 0, results: 4 });
    const resumed = await lastValueFrom(submitJob(link, { job, tasks, decode: asNumber }).pipe(toArray()));
    expect(first).toEqual([]);
    expect(resumed.map((o) => o.taskId).sort()).toEqual(['0', '1', '2']);
    for (const o of resumed) expect(o).toMatchObject({ type: 'taskFinished', deliveries: 1 });
    expect(await jobExists(link, job)).toBe(false);
  });

  it('refuses to resume a sealed job with another number of tasks', async () => {
    const job = nextJob();
    const first = lastValueFrom(submitJob(link, { job, tasks: [1, 2], decode: asNumber })).catch(
      (e: unknown) => e,
    );
    await expect
      .poll(() => jobState(link, job), { timeout: 10_000 })
      .toMatchObject({ queued: 2, results: 1 });
    const error: unknown = await firstValueFrom(
      submitJob(link, { job, tasks: [1, 2, 3], decode: asNumber }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'JobInputError', problem: 'mismatch' });
    await cancelJob(link, job);
    expect(await first).toMatchObject({ name: 'JobQueueError', operation: 'follow' });
  });

  it('cancelJob ends the workers’ sources and fails the submitter with JobQueueError', async () => {
    const job = nextJob();
    const outcome = lastValueFrom(
      submitJob(link, { job, tasks: [1, 2], decode: asNumber }).pipe(toArray()),
    ).catch((e: unknown) => e);
    // the source completes; the tasks it handed out are the engine's to finish, their results dropped
    const held: string[] = [];
    let sourceDone = false;
    const finish = new ReplaySubject<void>(1);
    const worker = lastValueFrom(
      natsTasks<number, number>(link, { job, decode: asNumber, pollTimeoutMs: 1000 }).pipe(
        tap({ next: (task) => held.push(task.id), complete: () => (sourceDone = true) }),
        fakeEngine((task) => finish.pipe(map(() => double(task)))),
        ackTasks(),
        toArray(),
      ),
    );
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(2);
    await cancelJob(link, job);
    const failure = await outcome;
    expect(isJobQueueError(failure)).toBe(true);
    expect(failure).toMatchObject({ operation: 'follow' });
    await expect.poll(() => sourceDone, { timeout: 10_000 }).toBe(true);
    finish.next();
    finish.complete();
    expect((await worker).map((e) => e.type)).toEqual(['taskFinished', 'taskFinished']);
    expect(await jobExists(link, job)).toBe(false);
    await cancelJob(link, job); // gone already: fine
  });

  it('fails a task whose data the worker refuses, whose result it cannot send, or the submitter refuses', async () => {
    const job = nextJob();
    const outcomes = lastValueFrom(
      submitJob<unknown, number>(link, {
        job,
        tasks: [
          new Task('nope', { id: 'bad-data' }),
          new Task(21, { id: 'bad-result' }),
          new Task(22, { id: 'huge-result' }),
          new Task(23, { id: 'unencodable-result' }),
        ],
        decode: asNumber,
      }).pipe(toArray()),
    );
    const results: Record<number, unknown> = { 21: 'not a number', 22: 'x'.repeat(2_000_000), 23: 5n };
    live.push(
      natsTasks<number, unknown>(link, { job, decode: asNumber, pollTimeoutMs: 1000 })
        .pipe(
          fakeEngine<number, unknown>((task) => ({ ok: true, result: results[task.data] })),
          ackTasks(),
        )
        .subscribe(),
    );
    const byId = new Map((await outcomes).map((o) => [o.taskId, o]));
    const badData = byId.get('bad-data');
    expect(
      badData?.type === 'taskFailed' && isJobTaskFailedError(badData.error) && badData.error.remoteName,
    ).toBe('JobMessageError');
    const badResult = byId.get('bad-result');
    expect(
      badResult?.type === 'taskFailed' && isJobMessageError(badResult.error) && badResult.error.kind,
    ).toBe('result');
    // results the worker cannot send: the task fails there, for good
    for (const id of ['huge-result', 'unencodable-result']) {
      const outcome = byId.get(id);
      expect(
        outcome?.type === 'taskFailed' && isJobTaskFailedError(outcome.error) && outcome.error.remoteName,
      ).toBe('JobMessageError');
    }
  });
});
