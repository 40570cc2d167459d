// Benchmark of the cross-process bus in lahja's shapes, our figures printed beside lahja's
// (measured on 2 cores, Python 3.11), with each row's target ratio (issue 15) and whether it is
// met. Run alone with `npx tsx bench/bus.ts`, with `npm run bench -- bus`, or call benchBus().
// The same file is the child process: `node --import tsx bench/bus.ts --child <name> <hub path>`.
// The same shapes then run on the bus over NATS (a nats-server on loopback, when installed; the
// child is `--nats-child <name> <url> <subject prefix>`), printed beside the Unix-socket figures.
// `BUS_BENCH_NATS=0` leaves the NATS rows out.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Subscription } from 'rxjs';
import { BaseEvent, BaseRequestResponseEvent, Endpoint, registerEvent } from '../src/bus/net/index.js';
import { hasNatsServer, startNatsServer } from '../test/nats/natsServer.js';
import { reportTarget } from './targets.js';

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
/**
 * The reference without the bus: consumers connect to `path` and read `count` frames of `size`
 * bytes from a plain Unix socket, each frame into a fresh buffer, as a bus consumer gets them.
 */
class RawPhase extends BaseEvent {
  constructor(
    readonly id: number,
    readonly path: string,
    readonly count: number,
    readonly size: number,
    readonly consumers: readonly string[],
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
registerEvent(
  'bench.RawPhase',
  RawPhase,
  (p) =>
    new RawPhase(
      p.integer('id'),
      p.string('path'),
      p.integer('count'),
      p.integer('size'),
      p.stringArray('consumers'),
    ),
);
registerEvent('bench.Report', Report, (p) => new Report(p.integer('phase'), p.boolean('done')));

const self = fileURLToPath(import.meta.url);
const CHILDREN = 10;

async function child(name: string, hubPath: string): Promise<void> {
  const ep = await new Endpoint(name).run();
  await ep.connectToEndpoints({ name: 'hub', path: hubPath });
  await childPhases(ep, name);
}

/** A child on the bus over NATS: the same part in every phase. */
async function natsChild(name: string, url: string, subjectPrefix: string): Promise<void> {
  const ep = await Endpoint.connectNats({ name, servers: url, subjectPrefix });
  await ep.connectToEndpoints({ name: 'hub', path: '' });
  await childPhases(ep, name);
}

/** A child's part in each phase: consume, respond, or read raw sockets, then report. */
async function childPhases(ep: Endpoint, name: string): Promise<void> {
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
  await ep.subscribe(RawPhase, (raw) => {
    if (raw.consumers.includes(name)) readRaw(ep, raw);
  });
  ep.errors$.subscribe({ next: (e) => process.stderr.write(`${name}: ${e.message}\n`) });
  await ep.broadcast(new Report(0, false));
}

/** A raw-socket consumer: each frame read in place into a fresh buffer, then dropped. */
function readRaw(ep: Endpoint, raw: RawPhase): void {
  let frame = Buffer.allocUnsafe(raw.size);
  let filled = 0;
  let frames = 0;
  const socket = createConnection({
    path: raw.path,
    onread: {
      buffer: () => frame.subarray(filled),
      callback: (n) => {
        filled += n;
        if (filled === raw.size) {
          frame = Buffer.allocUnsafe(raw.size);
          filled = 0;
          if (++frames === raw.count) {
            void ep.broadcast(new Report(raw.id, true));
            socket.end();
          }
        }
        return true;
      },
    },
  });
  socket.once('connect', () => void ep.broadcast(new Report(raw.id, false)));
}

interface Hub {
  readonly ep: Endpoint;
  readonly names: readonly string[];
  /** Run a phase: set the children up, then time `body` until `doneCount` children report done. */
  phase(count: number, consumers: number, responders: number, body: () => Promise<void>): Promise<number>;
  /** The same broadcasts over plain Unix sockets, without the bus; resolves with the seconds taken. */
  rawPhase(count: number, size: number, consumers: number): Promise<number>;
}

async function startHub(dir: string, children: ChildProcess[]): Promise<Hub> {
  const path = join(dir, 'hub.sock');
  const ep = await Endpoint.serve({ name: 'hub', path, maxFrameBytes: 4 * 1024 * 1024 });
  return driveHub(ep, dir, children, (name) => ['--child', name, path]);
}

/** The hub on the bus over NATS, its children connecting through `url`. */
async function startNatsHub(url: string, dir: string, children: ChildProcess[]): Promise<Hub> {
  const subjectPrefix = 'bench.bus';
  const ep = await Endpoint.connectNats({
    name: 'hub',
    servers: url,
    subjectPrefix,
    maxFrameBytes: 4 * 1024 * 1024,
  });
  return driveHub(ep, dir, children, (name) => ['--nats-child', name, url, subjectPrefix]);
}

/** Spawn the children (`childArgs`), wait until each reported, and run phases on `ep`. */
async function driveHub(
  ep: Endpoint,
  dir: string,
  children: ChildProcess[],
  childArgs: (name: string) => readonly string[],
): Promise<Hub> {
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
      spawn(process.execPath, ['--import', 'tsx', self, ...childArgs(name)], {
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
    rawPhase: async (count, size, consumers) => {
      id++;
      const sockets: Socket[] = [];
      let connected: () => void = () => undefined;
      const allConnected = new Promise<void>((resolve) => (connected = resolve));
      const server = createServer((s) => {
        if (sockets.push(s) === consumers) connected();
      });
      const rawPath = join(dir, `raw${id}.sock`);
      server.listen(rawPath);
      await once(server, 'listening');
      await ep.broadcast(new RawPhase(id, rawPath, count, size, names.slice(0, consumers)));
      await Promise.all([allConnected, until(`${id}:false`, consumers)]);
      const payload = Buffer.alloc(size, 0x78);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const waits = sockets.filter((s) => !s.write(payload)).map((s) => once(s, 'drain'));
        if (waits.length > 0) await Promise.all(waits);
      }
      await until(`${id}:true`, consumers);
      const seconds = (performance.now() - t0) / 1000;
      for (const s of sockets) s.destroy();
      server.close();
      return seconds;
    },
  };
}

/** One of lahja's benchmark shapes: how to run it once, lahja's figure, and our target ratio. */
interface Shape {
  /** Its row in `npm run bench`'s table of issue 15's targets: `3 <id>`. */
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  /** lahja's rate in `unit` (2 cores, Python 3.11). */
  readonly lahja: number;
  /** The ratio to lahja this row must reach (issue 15). */
  readonly target: number;
  /** Deliveries per event, for the deliveries line under a broadcast to many consumers. */
  readonly fanOut?: number;
  /** The same work without the bus (plain sockets), run after the shape in each round. */
  readonly reference?: (hub: Hub) => Promise<number>;
  /** Run the shape once; resolves with our rate in `unit`. */
  run(hub: Hub): Promise<number>;
}

/** Rounds of every shape; each row reports the median round. `BUS_BENCH_ROUNDS` overrides. */
const ROUNDS = Math.max(1, Number(process.env.BUS_BENCH_ROUNDS ?? 3) || 3);

const broadcast =
  (n: number, size: number, consumers: number) =>
  (hub: Hub): Promise<number> => {
    const payload = Buffer.alloc(size, 0x78);
    return hub
      .phase(n, consumers, 0, async () => {
        for (let i = 0; i < n; i++) await hub.ep.broadcast(new Data(payload));
      })
      .then((s) => n / s); // events/s, which for 1 MB events is MB/s
  };

const requests =
  (n: number, responders: number) =>
  (hub: Hub): Promise<number> =>
    hub
      .phase(0, 0, responders, async () => {
        for (let i = 0; i < n; i++) await hub.ep.request(new Question(), { timeout: 10_000 });
      })
      .then((s) => n / s);

/** lahja's shapes in the order they run, each round. */
const SHAPES: readonly Shape[] = [
  {
    id: '1B x3',
    label: 'broadcast 10,000 x 1 B to 3 consumers',
    unit: 'ev/s',
    lahja: 7_150,
    target: 3,
    run: broadcast(10_000, 1, 3),
  },
  {
    id: '1B x10',
    label: 'broadcast 10,000 x 1 B to 10 consumers',
    unit: 'ev/s',
    lahja: 1_984,
    target: 3,
    fanOut: 10,
    run: broadcast(10_000, 1, 10),
  },
  {
    id: '1MB x3',
    label: 'broadcast 100 x 1 MB to 3 consumers',
    unit: 'MB/s',
    lahja: 270,
    target: 1.5,
    run: broadcast(100, 1024 * 1024, 3),
    reference: (hub) => hub.rawPhase(100, 1024 * 1024, 3).then((s) => 100 / s),
  },
  {
    id: 'req x3',
    label: '1,000 sequential requests, 3 responders',
    unit: 'req/s',
    lahja: 1_617,
    target: 3,
    run: requests(1_000, 3),
  },
  {
    id: 'req x10',
    label: '1,000 sequential requests, 10 responders',
    unit: 'req/s',
    lahja: 697,
    target: 3,
    run: requests(1_000, 10),
  },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

function row(label: string, rates: readonly number[], lahja: number, unit: string, target?: number): string {
  const ours = median(rates);
  const ratio = ours / lahja;
  const spread = rates.length > 1 ? `${fmt(Math.min(...rates))}-${fmt(Math.max(...rates))}` : '';
  const goal = target === undefined ? '' : `>= ${target}x ${ratio >= target ? 'met' : 'NOT met'}`;
  return `${label.padEnd(42)} ${`${fmt(ours)} ${unit}`.padStart(13)} ${spread.padStart(15)} ${`${fmt(lahja)} ${unit}`.padStart(12)} ${`${ratio.toFixed(2)}x`.padStart(7)}  ${goal}`.trimEnd();
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/**
 * Run lahja's benchmark shapes against our bus, `ROUNDS` times in turn, and print per row the
 * median rate, the spread of the rounds, lahja's rate, the ratio, and whether the row meets its
 * target (issue 15: 1 MB broadcasts >= 1.5x lahja, every other row >= 3x).
 */
export async function benchBus(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
  const children: ChildProcess[] = [];
  const loadBefore = load();
  const hub = await startHub(dir, children);
  const rates = SHAPES.map((): number[] => []);
  try {
    const references = SHAPES.map((): number[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, shape] of SHAPES.entries()) {
        rates[i]!.push(await shape.run(hub));
        if (shape.reference !== undefined) references[i]!.push(await shape.reference(hub));
      }
    }
    console.log(
      `\nbus (cross-process, ${CHILDREN} child processes; median of ${ROUNDS} rounds; load average ${loadBefore} before, ${load()} after)`,
    );
    console.log(
      `${'shape'.padEnd(42)} ${'golem-rx'.padStart(13)} ${'rounds'.padStart(15)} ${'lahja'.padStart(12)} ${'ratio'.padStart(7)}  target`,
    );
    const met: boolean[] = [];
    for (const [i, shape] of SHAPES.entries()) {
      const r = rates[i]!;
      met.push(median(r) / shape.lahja >= shape.target);
      console.log(row(shape.label, r, shape.lahja, shape.unit, shape.target));
      if (shape.fanOut !== undefined) {
        const f = shape.fanOut;
        console.log(
          row(
            '  (deliveries)',
            r.map((x) => x * f),
            shape.lahja * f,
            'dl/s',
          ),
        );
      }
      const ref = references[i]!;
      const share = ref.length > 0 ? `bus at ${((100 * median(r)) / median(ref)).toFixed(0)}% of it` : '';
      if (ref.length > 0) {
        console.log(`${row('  (plain Unix sockets, no bus)', ref, shape.lahja, shape.unit)}  ${share}`);
      }
      reportTarget({
        id: `3 ${shape.id}`,
        name: `bus (Unix sockets): ${shape.label}`,
        value: `${fmt(median(r))} ${shape.unit}`,
        goal: `≥ ${shape.target}× lahja's ${fmt(shape.lahja)} ${shape.unit}`,
        ratio: median(r) / shape.lahja,
        met: met[i]!,
        note:
          `median of ${r.length} rounds (${fmt(Math.min(...r))}-${fmt(Math.max(...r))}); load ${loadBefore} before` +
          (share === '' ? '' : `; plain sockets in the same processes: ${share}`),
      });
    }
    const missed = SHAPES.filter((_, i) => !met[i]).map((s) => s.label);
    console.log(
      missed.length === 0
        ? `targets: all ${SHAPES.length} rows met`
        : `targets: ${SHAPES.length - missed.length} of ${SHAPES.length} rows met; NOT met: ${missed.join('; ')}`,
    );
  } finally {
    await hub.ep.close();
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  await benchBusNats(rates.map((r) => median(r)));
}

/**
 * The same shapes on the bus over NATS (a nats-server on loopback, hub and children each on
 * their own connection), printed beside the Unix-socket medians of this run and lahja's.
 */
async function benchBusNats(unix: readonly number[]): Promise<void> {
  if (process.env.BUS_BENCH_NATS === '0') return;
  if (!hasNatsServer) {
    console.log(
      '\nbus over NATS: skipped (no nats-server; apt-get install nats-server, or set NATS_SERVER_PATH)',
    );
    return;
  }
  const server = await startNatsServer({ jetstream: false });
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-nats-'));
  const children: ChildProcess[] = [];
  const loadBefore = load();
  try {
    const hub = await startNatsHub(server.url, dir, children);
    try {
      const rates = SHAPES.map((): number[] => []);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, shape] of SHAPES.entries()) rates[i]!.push(await shape.run(hub));
      }
      console.log(
        `\nbus over NATS (nats-server on loopback, ${CHILDREN} child processes; median of ${ROUNDS} rounds; load average ${loadBefore} before, ${load()} after)`,
      );
      console.log(
        `${'shape'.padEnd(42)} ${'over NATS'.padStart(13)} ${'rounds'.padStart(15)} ${'Unix sockets'.padStart(13)} ${'NATS/Unix'.padStart(9)} ${'lahja'.padStart(12)} ${'NATS/lahja'.padStart(10)}`,
      );
      for (const [i, shape] of SHAPES.entries()) {
        const r = rates[i]!;
        const ours = median(r);
        const spread = r.length > 1 ? `${fmt(Math.min(...r))}-${fmt(Math.max(...r))}` : '';
        console.log(
          `${shape.label.padEnd(42)} ${`${fmt(ours)} ${shape.unit}`.padStart(13)} ${spread.padStart(15)} ${`${fmt(unix[i]!)} ${shape.unit}`.padStart(13)} ${`${(ours / unix[i]!).toFixed(2)}x`.padStart(9)} ${`${fmt(shape.lahja)} ${shape.unit}`.padStart(12)} ${`${(ours / shape.lahja).toFixed(2)}x`.padStart(10)}`,
        );
      }
    } finally {
      await hub.ep.close();
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked && process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (invoked && process.argv[2] === '--nats-child') {
  natsChild(process.argv[3]!, process.argv[4]!, process.argv[5]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (invoked) {
  benchBus().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
