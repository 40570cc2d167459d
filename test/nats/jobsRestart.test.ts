/**
 * Issue 14 item 4 for jobs: a NATS restart (and the connection loss it is to the clients) loses no
 * task and no result. JetStream keeps both on file; the submitter's results reader, the workers'
 * pulls, publishes and acks wait the outage out and resume. The engine is faked (jobs.test.ts).
 */
import { filter, firstValueFrom, lastValueFrom, map, tap, timer, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Task } from 'golem-rx/engine';
import { type JobOutcome, type NatsLink, ackTasks, connectNats, natsTasks, submitJob } from 'golem-rx/nats';
import { fakeEngine, jobExists } from './fixtures/jobsFakes.js';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';

const TASKS = 60;

const asNumber = (value: unknown): number => {
  if (typeof value !== 'number') throw new TypeError('not a number');
  return value;
};

describe.runIf(!hasNatsServer && natsServerRequired)('jobs across NATS restarts in CI', () => {
  it('has a nats-server (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

describe.skipIf(!hasNatsServer)('a job across NATS restarts', () => {
  let server: NatsServerHandle;
  let submitter: NatsLink;
  let workers: NatsLink[];

  beforeAll(async () => {
    server = await startNatsServer();
    const connect = (name: string): Promise<NatsLink> =>
      connectNats({ servers: server.url, name, reconnectTimeWaitMs: 50 });
    submitter = await connect('submitter');
    workers = await Promise.all([connect('a'), connect('b')]);
  });
  afterAll(async () => {
    for (const link of [submitter, ...(workers ?? [])]) await link?.close();
    await server?.stop();
  });

  it.each([
    ['stopped (SIGTERM) and started again', 'restart'],
    ['killed (SIGKILL) and started again', 'kill'],
  ] as const)('loses no task and no result when the server is %s', async (_, how) => {
    const job = `restart-${how}`;
    const outcomes: JobOutcome<number>[] = [];
    const tasks = Array.from({ length: TASKS }, (_, i) => new Task<number, number>(i, { id: `t${i}` }));
    const all = lastValueFrom(
      submitJob(submitter, { job, tasks, decode: asNumber, ackWaitMs: 3000 }).pipe(
        tap((o) => outcomes.push(o)),
        toArray(),
      ),
    );
    // two worker processes, each task taking a little while
    const ran = workers.map((link, i) =>
      lastValueFrom(
        natsTasks<number, number>(link, {
          job,
          decode: asNumber,
          capacity: 3,
          pollTimeoutMs: 1000,
          worker: `w${i}`,
        }).pipe(
          fakeEngine((task) => timer(30).pipe(map(() => ({ ok: true as const, result: task.data * 2 })))),
          ackTasks(),
          filter((e) => e.type === 'taskFinished'),
          toArray(),
        ),
      ),
    );
    await expect.poll(() => outcomes.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(TASKS / 4);
    const recovered = Promise.all(
      [submitter, ...workers].map((link) =>
        firstValueFrom(link.health$.pipe(filter((h) => h.kind === 'recovered'))),
      ),
    );
    if (how === 'kill') {
      await server.kill();
      await server.restart();
    } else await server.restart();
    await recovered;
    const got = await all;
    expect(got).toHaveLength(TASKS);
    expect(new Set(got.map((o) => o.taskId)).size).toBe(TASKS);
    for (const o of got)
      expect(o).toMatchObject({ type: 'taskFinished', result: Number(o.taskId.slice(1)) * 2 });
    // the workers end with the job; between them they ran every task (some maybe twice)
    const finished = (await Promise.all(ran)).flat().map((e) => (e.type === 'taskFinished' ? e.task.id : ''));
    expect(new Set(finished).size).toBe(TASKS);
    expect(await jobExists(submitter, job)).toBe(false);
  });
});
