/**
 * Issue 14's done-when: 3 requestor processes, each with its own GolemNode, share one job of 300
 * tasks on a JetStream work queue against ONE devnet; one is killed (SIGKILL) mid-run. Every task
 * finishes exactly once at the submitter, and nothing is left open on devnet.
 *
 * What the killed process leaves, and how it is closed, as on the real network:
 * - its tasks: handed to the survivors once the ack wait passes (4 s here);
 * - its agreements (and their activities): ended by the providers when its debit notes go
 *   unaccepted past the negotiated accept timeout (`DebitNotesDeadline`, ya-provider's rule; the
 *   processes negotiate 1 s notes and a 4 s timeout);
 * - its demand: dropped by the daemon when its subscription's TTL passes (devnet's is 10 s here;
 *   the survivors republish theirs when it goes);
 * - its allocation: kept by the daemon until its timeout (the job's timeout + invoice timeout
 *   + 10 min): the operator releases it, as one does for a process that died. The test checks it
 *   is the only thing left, and releases it through the API.
 */
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Task } from 'golem-rx/engine';
import { type JobOutcome, type NatsLink, connectNats, submitJob } from 'golem-rx/nats';
import { NOTHING_OPEN, openCounts } from '../rental/support.js';
import { WorkerProcess } from './fixtures/jobsProcesses.js';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';

const TASKS = 300;
const JOB = 'three-processes';

const asNumber = (value: unknown): number => {
  if (typeof value !== 'number') throw new TypeError('a result is a number');
  return value;
};

describe.runIf(!hasNatsServer && natsServerRequired)('the 3-process job in CI', () => {
  it('has a nats-server (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

describe.skipIf(!hasNatsServer)('one job, three requestor processes, one killed', () => {
  let devnet: DevnetHandle;
  let server: NatsServerHandle;
  let link: NatsLink;
  let workers: WorkerProcess[] = [];
  let outcomes: JobOutcome<number>[] = [];
  let victim: WorkerProcess;

  /** devnet's API as the requestor (the operator) calls it. */
  const api = async (method: 'GET' | 'DELETE', path: string): Promise<unknown> => {
    const response = await fetch(`${devnet.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${devnet.appKey}` },
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };

  beforeAll(async () => {
    devnet = await startDevnet({
      port: 0,
      providers: 12,
      seed: 14,
      thinkTimeMs: [1, 3],
      approvalDelayMs: [1, 3],
      demandTtlMs: 10_000,
    });
    server = await startNatsServer();
    link = await connectNats({ servers: server.url, name: 'submitter' });
    const tasks = Array.from({ length: TASKS }, (_, i) => new Task<number, number>(i, { id: `t${i}` }));
    const env = { NATS_URL: server.url, YAGNA_API_URL: devnet.url, YAGNA_APPKEY: devnet.appKey, JOB };
    workers = ['w1', 'w2', 'w3'].map((name) => WorkerProcess.start(name, env));
    victim = workers[2]!;
    // all three up (node started, connected) before the job comes: none misses the start
    await vi.waitFor(
      () => {
        for (const w of workers)
          if (w.said('ready').length === 0) throw new Error(`${w.name} not ready: ${w.stderr}`);
      },
      { timeout: 60_000, interval: 100 },
    );
    let killing: Promise<void> | undefined;
    outcomes = await lastValueFrom(
      submitJob(link, { job: JOB, tasks, decode: asNumber, ackWaitMs: 4000 }).pipe(
        tap(() => {
          // mid-run: a fifth of the job done, the victim has finished some and holds more
          if (killing === undefined && victim.said('taskFinished').length >= 3) {
            const done = workers.reduce((n, w) => n + w.said('taskFinished').length, 0);
            if (done >= TASKS / 5) killing = victim.kill();
          }
        }),
        toArray(),
      ),
    );
    await killing;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await link?.close();
    await server?.stop();
    await devnet?.stop();
  });

  it('was killed mid-run, holding tasks', async () => {
    expect((await victim.exited).signal).toBe('SIGKILL');
    const finished = victim.said('taskFinished').length;
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(finished).toBeLessThan(TASKS / 2);
    // it had started tasks it never finished
    const started = new Set(victim.said('taskStarted').map((l) => l.taskId));
    for (const line of victim.said('taskFinished')) started.delete(line.taskId);
    expect(started.size).toBeGreaterThan(0);
  });

  it('finishes every task exactly once at the submitter, with its right result', () => {
    expect(outcomes).toHaveLength(TASKS);
    const ids = outcomes.map((o) => o.taskId);
    expect(new Set(ids).size).toBe(TASKS);
    for (const o of outcomes) {
      expect(o.type).toBe('taskFinished');
      if (o.type === 'taskFinished') expect(o.result).toBe(Number(o.taskId.slice(1)) * 2);
    }
    // all three worked; the tasks the victim held went to the survivors, handed out again
    const byWorker = new Map<string, number>();
    for (const o of outcomes) byWorker.set(o.worker, (byWorker.get(o.worker) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(['w1', 'w2', 'w3']);
    const handedOn = outcomes.filter((o) => o.worker !== 'w3' && o.deliveries >= 2);
    expect(handedOn.length).toBeGreaterThan(0);
  });

  it('lets the survivors end cleanly once the job is complete', async () => {
    for (const survivor of workers.slice(0, 2)) {
      expect(await survivor.exited, survivor.stderr).toEqual({ code: 0, signal: null });
      const [done] = survivor.said('done');
      expect(done).toMatchObject({ ev: 'done', stopped: null });
      expect(survivor.said('closed')).toEqual([{ ev: 'closed', ok: true }]);
    }
  });

  it('leaves nothing open on devnet: the providers end the dead process’s agreements, the operator releases its allocation', async () => {
    // agreements and activities: ended by the providers; the demand: expired
    await expect
      .poll(() => openCounts(devnet), { timeout: 30_000, interval: 250 })
      .toEqual({ ...NOTHING_OPEN, allocations: 1 });
    const agreements = victim.said('agreementSigned').map((l) => String(l.agreementId));
    expect(agreements.length).toBeGreaterThan(0);
    const reasons = await Promise.all(
      agreements.map((id) => api('GET', `/market-api/v1/agreements/${id}/terminate/reason`)),
    );
    expect(reasons).toContainEqual(
      expect.objectContaining({
        terminator: 'Provider',
        reason: expect.objectContaining({ 'golem.provider.code': 'DebitNotesDeadline' }),
      }),
    );
    // the one allocation left is the dead process's: released as its operator would
    const [allocation] = victim.said('allocationCreated');
    const left = (await api('GET', '/payment-api/v1/allocations')) as { allocationId: string }[];
    expect(left.map((a) => a.allocationId)).toEqual([allocation?.allocationId]);
    await api('DELETE', `/payment-api/v1/allocations/${String(allocation?.allocationId)}`);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  });
});
