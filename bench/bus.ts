// Benchmark of the cross-process bus in lahja's shapes, our figures printed beside lahja's
// (measured on 2 cores, Python 3.11). Run alone with `npx tsx bench/bus.ts`, or call benchBus().
// The same file is the child process: `node --import tsx bench/bus.ts --child <name> <hub path>`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Subscription } from 'rxjs';
import { BaseEvent, BaseRequestResponseEvent, Endpoint, registerEvent } from '../src/bus/net/index.js';

/** Raw bytes, as lahja's benchmark sends: carried beside the JSON, not inside it. */
class Data extends BaseEvent {
  constructor(readonly d: Uint8Array) {
    super();
  }
}
class Answer extends BaseEvent {}
class Question extends BaseRequestResponseEvent<Answer> {
  expectedResponseType(): typeof Answer {
    return Answer;
  }
}
/** Tells every child its part in the next phase. */
class Phase extends BaseEvent {
  constructor(
    readonly id: number,
    readonly count: number,
    readonly consumers: readonly string[],
    readonly responders: readonly string[],
  ) {
    super();
  }
}
/** A child is set up for the phase (`done: false`), or has received all its events (`done: true`). */
class Report extends BaseEvent {
  constructor(
    readonly phase: number,
    readonly done: boolean,
  ) {
    super();
  }
}

registerEvent('bench.Data', Data, (p) => new Data(p.bytes('d')));
registerEvent('bench.Answer', Answer, () => new Answer());
registerEvent('bench.Question', Question, () => new Question());
registerEvent(
  'bench.Phase',
  Phase,
  (p) =>
    new Phase(p.integer('id'), p.integer('count'), p.stringArray('consumers'), p.stringArray('responders')),
);
registerEvent('bench.Report', Report, (p) => new Report(p.integer('phase'), p.boolean('done')));

const self = fileURLToPath(import.meta.url);
const CHILDREN = 10;

async function child(name: string, hubPath: string): Promise<void> {
  const ep = await new Endpoint(name).run();
  await ep.connectToEndpoints({ name: 'hub', path: hubPath });
  let data: Subscription | undefined;
  let questions: Subscription | undefined;
  await ep.subscribe(Phase, async (phase) => {
    data?.unsubscribe();
    questions?.unsubscribe();
    data = questions = undefined;
    if (phase.consumers.includes(name)) {
      let seen = 0;
      data = await ep.subscribe(Data, () => {
        if (++seen === phase.count) void ep.broadcast(new Report(phase.id, true));
      });
    }
    if (phase.responders.includes(name)) {
      questions = await ep.subscribe(Question, (q) => ep.broadcast(new Answer(), q.broadcastConfig()));
    }
    await ep.broadcast(new Report(phase.id, false));
  });
  ep.errors$.subscribe({ next: (e) => process.stderr.write(`${name}: ${e.message}\n`) });
  await ep.broadcast(new Report(0, false));
}

interface Hub {
  readonly ep: Endpoint;
  readonly names: readonly string[];
  /** Run a phase: set the children up, then time `body` until `doneCount` children report done. */
  phase(count: number, consumers: number, responders: number, body: () => Promise<void>): Promise<number>;
}

async function startHub(dir: string, children: ChildProcess[]): Promise<Hub> {
  const path = join(dir, 'hub.sock');
  const ep = await Endpoint.serve({ name: 'hub', path, maxFrameBytes: 4 * 1024 * 1024 });
  const names = Array.from({ length: CHILDREN }, (_, i) => `c${i}`);
  const reports = new Map<string, number>();
  let wake: (() => void) | undefined;
  await ep.subscribe(Report, (r) => {
    const key = `${r.phase}:${r.done}`;
    reports.set(key, (reports.get(key) ?? 0) + 1);
    wake?.();
  });
  const until = async (key: string, n: number): Promise<void> => {
    while ((reports.get(key) ?? 0) < n) await new Promise<void>((r) => (wake = r));
  };
  for (const name of names) {
    children.push(
      spawn(process.execPath, ['--import', 'tsx', self, '--child', name, path], {
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
  }
  await until('0:false', CHILDREN);
  let id = 0;
  return {
    ep,
    names,
    phase: async (count, consumers, responders, body) => {
      id++;
      await ep.broadcast(new Phase(id, count, names.slice(0, consumers), names.slice(0, responders)));
      await until(`${id}:false`, CHILDREN);
      const t0 = performance.now();
      await body();
      await until(`${id}:true`, consumers);
      return (performance.now() - t0) / 1000;
    },
  };
}

function row(shape: string, ours: number, lahja: number, unit: string): string {
  const f = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return `${shape.padEnd(46)} ${`${f(ours)} ${unit}`.padStart(16)} ${`${f(lahja)} ${unit}`.padStart(16)} ${(ours / lahja).toFixed(2).padStart(8)}x`;
}

/** Run lahja's benchmark shapes against our bus and print ours, lahja's, and the ratio. */
export async function benchBus(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
  const children: ChildProcess[] = [];
  const hub = await startHub(dir, children);
  try {
    const rows: string[] = [];
    const broadcast = async (n: number, size: number, consumers: number): Promise<number> => {
      const payload = Buffer.alloc(size, 0x78);
      return hub.phase(n, consumers, 0, async () => {
        for (let i = 0; i < n; i++) await hub.ep.broadcast(new Data(payload));
      });
    };
    const requests = async (n: number, responders: number): Promise<number> =>
      hub.phase(0, 0, responders, async () => {
        for (let i = 0; i < n; i++) await hub.ep.request(new Question(), { timeout: 10_000 });
      });

    let s = await broadcast(10_000, 1, 3);
    rows.push(row('broadcast 10,000 x 1 B to 3 consumers', 10_000 / s, 7_150, 'ev/s'));
    s = await broadcast(10_000, 1, 10);
    rows.push(row('broadcast 10,000 x 1 B to 10 consumers', 10_000 / s, 1_984, 'ev/s'));
    rows.push(row('  (deliveries)', 100_000 / s, 19_840, 'dl/s'));
    s = await broadcast(100, 1024 * 1024, 3);
    rows.push(row('broadcast 100 x 1 MB to 3 consumers', 100 / s, 270, 'MB/s'));
    s = await requests(1_000, 3);
    rows.push(row('1,000 sequential requests, 3 responders', 1_000 / s, 1_617, 'req/s'));
    s = await requests(1_000, 10);
    rows.push(row('1,000 sequential requests, 10 responders', 1_000 / s, 697, 'req/s'));

    console.log(`\nbus (cross-process, ${CHILDREN} child processes)`);
    console.log(
      `${'shape'.padEnd(46)} ${'golem-rx'.padStart(16)} ${'lahja'.padStart(16)} ${'ratio'.padStart(9)}`,
    );
    for (const r of rows) console.log(r);
  } finally {
    await hub.ep.close();
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked && process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (invoked) {
  benchBus().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
