// Benchmark of the task engine (issue 5): 10,000 tiny tasks on 100 providers with `executeTasks`,
// beside devnet's capacity measured with the client alone (raw exec round trips per second on as
// many activities), and the requestor's CPU per task (`process.cpuUsage`). devnet runs in a child
// process, so the two do not share a core. Run alone with `npx tsx bench/tasks.ts`, or call
// benchTasks(). Prints figures and ratios; asserts nothing.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  concatMap,
  firstValueFrom,
  from,
  ignoreElements,
  lastValueFrom,
  mergeMap,
  range,
  take,
  tap,
  toArray,
} from 'rxjs';
import type { ExeScriptCommandDto } from '../src/api/types/index.js';
import { type EngineEvent, Task, type Worker, executeTasks } from '../src/engine/index.js';
import { createActivity, createAgreement, negotiate, score } from '../src/operators/index.js';
import { type Activity } from '../src/resources/index.js';
import { GolemNode } from '../src/node/index.js';
import { type ChildDevnet, fmt, header, line, spawnDevnet } from './devnet.js';

const PROVIDERS = 100;
const TASKS = 10_000;
const WORKERS = 50;
/** Raw round trips per activity when measuring devnet's capacity. */
const RAW_PER_ACTIVITY = 40;

const SCRIPT: ExeScriptCommandDto[] = [
  { run: { entry_point: '/bin/echo', args: ['x'], capture: { stdout: { atEnd: {} } } } },
];

function nodeOn(devnet: ChildDevnet): GolemNode {
  return new GolemNode({
    apiUrl: devnet.url,
    appKey: devnet.appKey,
    env: {},
    pollTimeoutSec: 1,
    minPollIntervalMs: 10,
  });
}

/** Exec round trips per second with the client alone: exec + wait for the result, on `WORKERS` activities. */
async function rawCapacity(devnet: ChildDevnet): Promise<{ perSecond: number; cpuPerTripUs: number }> {
  const node = nodeOn(devnet);
  await node.start();
  const allocation = await node.createAllocation({ amount: 100 });
  const activities = await firstValueFrom(
    node.demand$({ payload: {}, allocations: [allocation] }).pipe(
      score(() => 1),
      negotiate(WORKERS),
      createAgreement({ concurrency: WORKERS }),
      createActivity(),
      take(WORKERS),
      toArray(),
    ),
  );
  const trips = (activity: Activity) =>
    range(0, RAW_PER_ACTIVITY).pipe(
      concatMap(() => activity.exec(SCRIPT)),
      concatMap((batch) => batch.results$),
      ignoreElements(),
    );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await lastValueFrom(from(activities).pipe(mergeMap(trips)), { defaultValue: undefined });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const total = activities.length * RAW_PER_ACTIVITY;
  await node.close();
  return { perSecond: total / seconds, cpuPerTripUs: (cpu.user + cpu.system) / total };
}

const echo: Worker<number, string> = async (ctx, tasks) => {
  for await (const task of tasks) {
    ctx.run('/bin/echo', String(task.data));
    const [result] = await ctx.commit();
    task.accept(result?.stdout ?? '');
  }
};

/** The engine on `TASKS` tasks: wall time (all, and the work phase), requestor CPU. */
async function engine(devnet: ChildDevnet): Promise<{
  perSecond: number;
  workPerSecond: number;
  setupMs: number;
  shutdownMs: number;
  cpuPerTaskUs: number;
  events: EngineEvent<number, string>[];
}> {
  const node = nodeOn(devnet);
  await node.start();
  const tasks = Array.from({ length: TASKS }, (_, i) => new Task<number, string>(i));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let firstStart: number | undefined;
  let lastFinish = t0;
  const events = await lastValueFrom(
    from(tasks).pipe(
      executeTasks(node, echo, { payload: {}, budget: 100, maxWorkers: WORKERS, invoiceTimeout: 30_000 }),
      tap((e) => {
        if (e.type === 'taskStarted') firstStart ??= performance.now();
        if (e.type === 'taskFinished') lastFinish = performance.now();
      }),
      toArray(),
    ),
  );
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await node.close();
  const start = firstStart ?? t0;
  return {
    perSecond: TASKS / ((end - t0) / 1000),
    workPerSecond: TASKS / ((lastFinish - start) / 1000),
    setupMs: start - t0,
    shutdownMs: end - lastFinish,
    cpuPerTaskUs: (cpu.user + cpu.system) / TASKS,
    events,
  };
}

/** Runs the task engine bench and prints its figures. */
export async function benchTasks(): Promise<void> {
  header(
    `executeTasks: ${fmt(TASKS)} tiny tasks (one echo each) on ${PROVIDERS} providers, ${WORKERS} workers (devnet in a child process)`,
  );
  const devnet = await spawnDevnet({
    providers: PROVIDERS,
    seed: 9,
    thinkTimeMs: [1, 5],
    approvalDelayMs: [1, 5],
  });
  try {
    const raw = await rawCapacity(devnet);
    console.log(
      line(
        `devnet capacity: raw exec round trips, ${WORKERS} activities`,
        fmt(raw.perSecond, 0),
        '/s',
        `client CPU ${fmt(raw.cpuPerTripUs, 0)} µs per round trip`,
      ),
    );
    const devnetCpu0 = await devnet.cpu();
    const run = await engine(devnet);
    const devnetCpu = (await devnet.cpu()) - devnetCpu0;
    const count = (type: EngineEvent['type']) => run.events.filter((e) => e.type === type).length;
    console.log(
      line(
        'executeTasks throughput, first task to last',
        fmt(run.workPerSecond, 0),
        'task/s',
        `${fmt(run.workPerSecond / raw.perSecond, 2)}x devnet's raw round trips`,
      ),
    );
    console.log(
      line(
        'executeTasks throughput, allocation to done',
        fmt(run.perSecond, 0),
        'task/s',
        `${fmt(run.setupMs, 0)} ms to the first task, ${fmt(run.shutdownMs, 0)} ms from the last one to done (invoices)`,
      ),
    );
    console.log(
      line(
        'requestor CPU per task',
        fmt(run.cpuPerTaskUs, 0),
        'µs',
        `${fmt(run.cpuPerTaskUs / raw.cpuPerTripUs, 2)}x a raw round trip; devnet ${fmt(devnetCpu / TASKS, 0)} µs per task`,
      ),
    );
    console.log(
      `  (${count('taskFinished')} done, ${count('taskFailed')} failed, ${count('agreementSigned')} agreements, ` +
        `${count('demandPublished')} demands, ${count('invoiceAccepted')} invoices paid)`,
    );
  } finally {
    await devnet.stop();
  }
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked) {
  benchTasks().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
