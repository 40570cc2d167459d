// Issue 15, target 2: proposals at line rate. Both figures are reported to bench/targets.ts.
// (a) offers/s through `node.demand$ → score → negotiate(4)` from devnet over loopback HTTP. devnet
//     runs in a child process (each side can have a core; its CPU is measured apart) with
//     `PROVIDERS` providers and default settings (latency 0), and serves every new demand one
//     Initial proposal per provider. Every offer is parsed, made a `Proposal` resource (identity
//     map, tree, bus events) and scored, and negotiate takes every one into its heap (it counters
//     4 and their drafts' leases are held, so the rest wait there). Timed from subscription (the
//     demand's publication included) to the last offer scored; one warm-up demand, then `RUNS`
//     demands on the same devnet, median reported, with the CPU each side spent per offer and the
//     machine's load (the figure is wall time: other processes on the machine lower it). One more
//     demand is profiled on both sides (node:inspector): the frames with most self time.
// (b) offers/s through `score → negotiate(4)` alone, on light in-memory proposals (no HTTP, no
//     resources): each offer of its own provider (as in (a): negotiate holds them all), and, for
//     reference, offers re-issued by 5,000 providers.
// Prints figures, asserts nothing about time. Run alone with `npx tsx bench/lineRate.ts`
// (`BENCH_LINE_ONLY=http|operators`, `BENCH_LINE_PROVIDERS`, `BENCH_LINE_RUNS`,
// `BENCH_LINE_PROFILE=<file>` to keep the client's profile and `<file>.devnet`).
// The same file is devnet's child: `node --import tsx bench/lineRate.ts --child '<DevnetOptions>'`.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NEVER, Observable } from 'rxjs';
import { startDevnet, type DevnetOptions } from '@golem-rx/devnet';
import { GolemNode } from '../src/node/index.js';
import { negotiate, score } from '../src/operators/index.js';
import type { OfferProposal } from '../src/ports/index.js';
import type { Allocation, Proposal } from '../src/resources/index.js';
import { fmt, header, line } from './devnet.js';
import { reportTarget } from './targets.js';

const PROVIDERS = Number(process.env.BENCH_LINE_PROVIDERS ?? 50_000);
const RUNS = Number(process.env.BENCH_LINE_RUNS ?? 5);
const HTTP_GOAL = 50_000;
const OPERATORS_GOAL = 200_000;
const IN_MEMORY_DISTINCT = 200_000;
const IN_MEMORY_REISSUED = 1_000_000;
const IN_MEMORY_PROVIDERS = 5_000;
const TOP_FRAMES = 5;

// --- CPU profiles (node:inspector), reduced to the frames with most self time

/** A V8 CPU profile, as `Profiler.stop` returns it (the fields read here). */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples?: readonly number[];
}

/** One frame of a profile with its self time. */
export interface HotFrame {
  readonly frame: string;
  /** Share of the profile's busy samples (idle left out), 0..1. */
  readonly share: number;
}

function frameName(callFrame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = callFrame.functionName === '' ? '(anonymous)' : callFrame.functionName;
  if (callFrame.url === '') return name;
  const file = callFrame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/(src|bench|packages)\//, '$1/');
  // tsx's transpiled code is one line: its line numbers say nothing
  return callFrame.lineNumber > 0 ? `${name} ${file}:${callFrame.lineNumber + 1}` : `${name} ${file}`;
}

/**
 * The `n` frames with most self time, by samples (idle left out). Counted in samples, not in
 * the time between samples: on a loaded machine a process waits for a core between two samples,
 * and that wait would be charged to whatever ran last (a syscall, typically).
 */
export function topFrames(profile: CpuProfile, n: number): HotFrame[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
  const self = new Map<string, number>();
  let busy = 0;
  for (const sample of profile.samples ?? []) {
    const frame = byId.get(sample) ?? '?';
    if (frame === '(idle)') continue;
    busy += 1;
    self.set(frame, (self.get(frame) ?? 0) + 1);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, samples]) => ({ frame, share: busy === 0 ? 0 : samples / busy }));
}

/** Starts the sampling profiler in this process; the returned function stops it. */
async function startProfile(): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

/** Prints frames with their share and the CPU time that share stands for (of `cpuMs`). */
function printFrames(title: string, frames: readonly HotFrame[], cpuMs: number): void {
  console.log(`  ${title}`);
  for (const f of frames)
    console.log(
      `    ${(f.share * 100).toFixed(1).padStart(5)}%  ≈${fmt(f.share * cpuMs, 0).padStart(5)} ms CPU  ${f.frame}`,
    );
}

// --- devnet in a child process that can also profile itself

interface LineRateDevnet {
  readonly url: string;
  readonly appKey: string;
  /** The child's CPU time so far (user + system), µs. */
  cpu(): Promise<number>;
  profileStart(): Promise<void>;
  profileStop(): Promise<HotFrame[]>;
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);

async function spawnChild(options: DevnetOptions): Promise<LineRateDevnet> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--child', JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`devnet child exited with ${code}`)));
  });
  failed.catch(() => undefined); // observed below through Promise.race
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = (): Promise<string> =>
    Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), failed]);
  const ask = async (what: string): Promise<unknown> => {
    const answer = next();
    child.stdin.write(`${what}\n`);
    return JSON.parse(await answer) as unknown;
  };
  const ready = JSON.parse(await next()) as { url: string; appKey: string };
  return {
    url: ready.url,
    appKey: ready.appKey,
    cpu: async () => (await ask('cpu')) as number,
    profileStart: async () => void (await ask('profile-start')),
    profileStop: async () => (await ask('profile-stop')) as HotFrame[],
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** The child's side of {@link spawnChild}: one JSON line answers each command line. */
async function devnetChild(optionsJson: string): Promise<void> {
  const devnet = await startDevnet({ ...(JSON.parse(optionsJson) as DevnetOptions), port: 0 });
  const write = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
  write({ url: devnet.url, appKey: devnet.appKey });
  let stopProfile: (() => Promise<CpuProfile>) | undefined;
  const input = createInterface({ input: process.stdin });
  input.on('line', (l) => {
    if (l === 'cpu') {
      const { user, system } = process.cpuUsage();
      write(user + system);
    } else if (l === 'profile-start') {
      startProfile().then(
        (stop) => {
          stopProfile = stop;
          write(true);
        },
        (err: unknown) => write({ error: String(err) }),
      );
    } else if (l === 'profile-stop' && stopProfile !== undefined) {
      stopProfile().then(
        (profile) => {
          if (process.env.BENCH_LINE_PROFILE !== undefined)
            writeFileSync(`${process.env.BENCH_LINE_PROFILE}.devnet`, JSON.stringify(profile));
          write(topFrames(profile, TOP_FRAMES));
        },
        (err: unknown) => write({ error: String(err) }),
      );
    }
  });
  input.once('close', () => {
    devnet.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

// --- (a) over HTTP

/** Cheaper is better: reads the offer's linear coefficients (devnet's offers carry them). */
function byPrice(proposal: Proposal | OfferProposal): number {
  const coeffs = proposal.properties['golem.com.pricing.model.linear.coeffs'];
  if (!Array.isArray(coeffs)) return 0;
  let sum = 0;
  for (const c of coeffs) sum += typeof c === 'number' ? c : 0;
  return 1 / (1 + sum);
}

interface HttpRun {
  /** Wall time from subscription (the demand's publication included) to the last offer scored. */
  readonly ms: number;
  /** From the first offer scored to the last. */
  readonly streamMs: number;
  readonly clientCpuMs: number;
  readonly devnetCpuMs: number;
  /** The machine's 1-minute load average when the run began (2 cores: above 2, others wait). */
  readonly load: number;
}

/** One demand: subscribe, wait until `PROVIDERS` offers have been scored, unsubscribe. */
async function httpRun(node: GolemNode, devnet: LineRateDevnet, allocation: Allocation): Promise<HttpRun> {
  let seen = 0;
  let first = 0;
  let done: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const all = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const load = loadavg()[0] ?? 0;
  const devnetCpu0 = await devnet.cpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const subscription = node
    .demand$({ payload: {}, allocations: [allocation] })
    .pipe(
      score((p: Proposal) => {
        if (seen++ === 0) first = performance.now();
        if (seen === PROVIDERS) done();
        return byPrice(p);
      }),
      negotiate(4),
    )
    .subscribe({ error: failed });
  await all;
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const devnetCpu1 = await devnet.cpu();
  subscription.unsubscribe();
  return {
    ms: end - t0,
    streamMs: end - first,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    devnetCpuMs: (devnetCpu1 - devnetCpu0) / 1000,
    load,
  };
}

function median<T>(runs: readonly T[], by: (r: T) => number): T {
  return [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)]!;
}

const perOffer = (cpuMs: number): number => (cpuMs * 1000) / PROVIDERS;

async function overHttp(): Promise<void> {
  header(
    `(a) ${fmt(PROVIDERS)} offers a demand through node.demand$ → score → negotiate(4), from devnet over ` +
      `loopback (child process, latency 0, ${fmt(PROVIDERS)} providers); ${RUNS} demands after one warm-up`,
  );
  const t0 = performance.now();
  const devnet = await spawnChild({ providers: PROVIDERS, latency: 0, seed: 7 });
  console.log(line('devnet start (spawn + tsx + startDevnet)', fmt(performance.now() - t0), 'ms'));
  const node = await new GolemNode({
    apiUrl: devnet.url,
    appKey: devnet.appKey,
    env: {},
    pollTimeoutSec: 1,
    payments: false,
  }).start();
  try {
    const allocation = await node.createAllocation({ amount: 1 });
    await httpRun(node, devnet, allocation); // warm-up: JIT on both sides, keep-alive connections
    const runs: HttpRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await httpRun(node, devnet, allocation));
    for (const [i, r] of runs.entries()) {
      console.log(
        line(
          `  run ${i + 1}`,
          fmt(PROVIDERS / (r.ms / 1000)),
          '/s',
          `${fmt(r.ms)} ms; CPU µs/offer client ${fmt(perOffer(r.clientCpuMs), 1)}, devnet ` +
            `${fmt(perOffer(r.devnetCpuMs), 1)}; busy client ${fmt((r.clientCpuMs / r.ms) * 100)}%, ` +
            `devnet ${fmt((r.devnetCpuMs / r.ms) * 100)}%; load ${r.load.toFixed(1)}`,
        ),
      );
    }
    const m = median(runs, (r) => r.ms);
    const rate = PROVIDERS / (m.ms / 1000);
    const client = perOffer(median(runs, (r) => r.clientCpuMs).clientCpuMs);
    const server = perOffer(median(runs, (r) => r.devnetCpuMs).devnetCpuMs);
    console.log(
      line(
        'offers/s, median (publication → last offer scored)',
        fmt(rate),
        '/s',
        `goal ≥ ${fmt(HTTP_GOAL)}: ${rate >= HTTP_GOAL ? 'met' : 'NOT met'}; first → last offer ` +
          `${fmt(PROVIDERS / (m.streamMs / 1000))}/s`,
      ),
    );
    console.log(
      line(
        'CPU per offer, medians: client / devnet',
        `${fmt(client, 1)} / ${fmt(server, 1)}`,
        'µs',
        `the ${client >= server ? 'client' : 'devnet'} holds the CPU; with a free core each the ` +
          `busier side would allow ≈${fmt(1e6 / Math.max(client, server))}/s (a bound, not a measurement)`,
      ),
    );

    // one more demand, both sides profiled
    await devnet.profileStart();
    const stopClient = await startProfile();
    const profiled = await httpRun(node, devnet, allocation);
    const clientProfile = await stopClient();
    if (process.env.BENCH_LINE_PROFILE !== undefined)
      writeFileSync(process.env.BENCH_LINE_PROFILE, JSON.stringify(clientProfile));
    const devnetFrames = await devnet.profileStop();
    printFrames(
      `client CPU profile (one more demand, profiled), top ${TOP_FRAMES} frames by self time:`,
      topFrames(clientProfile, TOP_FRAMES),
      profiled.clientCpuMs,
    );
    printFrames(`devnet CPU profile, same demand:`, devnetFrames, profiled.devnetCpuMs);

    reportTarget({
      id: '2a',
      name: 'offers/s: node.demand$ → score → negotiate, devnet over HTTP',
      value: `${fmt(rate)} offers/s`,
      goal: `≥ ${fmt(HTTP_GOAL)} offers/s`,
      ratio: rate / HTTP_GOAL,
      met: rate >= HTTP_GOAL,
      note:
        `median of ${RUNS} demands of ${fmt(PROVIDERS)} offers; CPU µs/offer client ${fmt(client, 1)}, ` +
        `devnet ${fmt(server, 1)}; load ${runs.map((r) => r.load.toFixed(1)).join('/')} on 2 cores`,
    });
  } finally {
    await node.close();
    await devnet.stop();
  }
}

// --- (b) the operators alone

/** `n` light in-memory proposals, offer `i` from provider `i % providers`, prices spread. */
function inMemoryProposals(n: number, providers: number): OfferProposal[] {
  const never = (): Observable<never> => NEVER;
  const properties = Array.from({ length: 97 }, (_, k) => ({
    'golem.com.pricing.model.linear.coeffs': [k / 1e5, k / 2e5, 0.01],
  }));
  const ids = Array.from({ length: providers }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    providerId: ids[i % providers]!,
    properties: properties[i % 97]!,
    expiresAt: undefined,
    respond: never,
    reject: never,
  }));
}

/** Offers/s of one pass of `offers` through score → negotiate(4) (synchronous: CPU only). */
function operatorsRun(offers: readonly OfferProposal[]): number {
  let seen = 0;
  const source = new Observable<OfferProposal>((subscriber) => {
    for (const offer of offers) {
      if (subscriber.closed) break;
      subscriber.next(offer);
    }
  });
  const t0 = performance.now();
  const subscription = source
    .pipe(
      score((p) => {
        seen++;
        return byPrice(p);
      }),
      negotiate(4),
    )
    .subscribe({ error: (error: unknown) => console.error('lineRate:', error) });
  const ms = performance.now() - t0;
  subscription.unsubscribe();
  if (seen !== offers.length) throw new Error(`score saw ${seen} of ${offers.length}`);
  return offers.length / (ms / 1000);
}

/** The median and every run's offers/s of `RUNS` passes after a warm-up. */
function operatorsRate(offers: readonly OfferProposal[]): { median: number; runs: number[] } {
  operatorsRun(offers); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    globalThis.gc?.();
    runs.push(operatorsRun(offers));
  }
  return { median: median(runs, (r) => r), runs };
}

function operatorsAlone(): void {
  header(
    `(b) in-memory offers through score → negotiate(4) (no HTTP, no resources), ${RUNS} passes after one warm-up`,
  );
  const distinct = operatorsRate(inMemoryProposals(IN_MEMORY_DISTINCT, IN_MEMORY_DISTINCT));
  const note = (r: { runs: number[] }): string => `runs ${r.runs.map((x) => fmt(x / 1000)).join(', ')} k/s`;
  const met = distinct.median >= OPERATORS_GOAL;
  console.log(
    line(
      `${fmt(IN_MEMORY_DISTINCT)} offers, each of its own provider (median)`,
      fmt(distinct.median),
      '/s',
      `goal ≥ ${fmt(OPERATORS_GOAL)}: ${met ? 'met' : 'NOT met'}; ${note(distinct)}; negotiate holds all`,
    ),
  );
  const reissued = operatorsRate(inMemoryProposals(IN_MEMORY_REISSUED, IN_MEMORY_PROVIDERS));
  console.log(
    line(
      `${fmt(IN_MEMORY_REISSUED)} offers of ${fmt(IN_MEMORY_PROVIDERS)} providers (median)`,
      fmt(reissued.median),
      '/s',
      `${note(reissued)}; re-issued offers: negotiate keeps each provider's best`,
    ),
  );
  reportTarget({
    id: '2b',
    name: 'offers/s: score → negotiate alone, in memory',
    value: `${fmt(distinct.median)} offers/s`,
    goal: `≥ ${fmt(OPERATORS_GOAL)} offers/s`,
    ratio: distinct.median / OPERATORS_GOAL,
    met,
    note: `median of ${RUNS}, ${fmt(IN_MEMORY_DISTINCT)} offers of as many providers`,
  });
}

/** Runs target 2's bench and prints its figures. */
export async function benchLineRate(): Promise<void> {
  const only = process.env.BENCH_LINE_ONLY;
  if (only !== 'http') operatorsAlone();
  if (only !== 'operators') await overHttp();
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked && process.argv[2] === '--child') {
  devnetChild(process.argv[3] ?? '{}').catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (invoked) {
  benchLineRate().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
