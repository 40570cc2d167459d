// Import cost of the core entry (issue 12 item 6): the CPU time (user + system) and the peak
// memory (max RSS) of a fresh Node process that imports the BUILT `golem-rx` (dist, through the
// package's exports map), beside one that imports rxjs alone; goal: at most 0.05 s and 8 MiB
// above rxjs. For context, Node alone and the core's dependencies alone (rxjs, ky, decimal.js:
// ky's load makes Node set up its fetch). Each figure is the median of RUNS processes, taken in
// turn. Needs `npm run build`. Run alone with `npx tsx bench/importCost.ts`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, header, line } from './devnet.js';

const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 7);
const CPU_GOAL_S = 0.05;
const RSS_GOAL_MIB = 8;
const MIB = 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What a fresh process imports, by name. */
const SUBJECTS = {
  'node alone': [],
  'rxjs alone': ['rxjs'],
  'rxjs + ky + decimal.js': ['rxjs', 'ky', 'decimal.js'],
  'golem-rx (core entry, dist)': ['golem-rx'],
} as const satisfies Record<string, readonly string[]>;
type Subject = keyof typeof SUBJECTS;

interface Cost {
  /** User + system CPU time of the whole process, in seconds. */
  readonly cpu: number;
  /** Peak resident memory of the process, in bytes. */
  readonly rss: number;
}

/** One fresh Node process that imports `specifiers` (from the repository root) and reports. */
function measure(specifiers: readonly string[]): Cost {
  const code = `
    for (const specifier of ${JSON.stringify(specifiers)}) await import(specifier);
    const cpu = process.cpuUsage();
    console.log(JSON.stringify({ cpu: (cpu.user + cpu.system) / 1e6, rss: process.resourceUsage().maxRSS * 1024 }));`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no tsx loader, no --expose-gc: a user's plain `node`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) throw new Error(`importing ${specifiers.join(', ')} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Cost;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Prints the import cost of the core entry beside rxjs alone, and whether the goal is met. */
export async function benchImportCost(): Promise<void> {
  header(`Import cost: a fresh Node process, median of ${RUNS} (CPU = user + system, memory = max RSS)`);
  if (!existsSync(join(root, 'dist/index.js'))) {
    console.log('  dist/index.js is missing: run `npm run build` first (the bench imports the build)');
    return;
  }
  const subjects = Object.keys(SUBJECTS) as Subject[];
  const samples = new Map<Subject, Cost[]>(subjects.map((s) => [s, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const subject of subjects) samples.get(subject)!.push(measure(SUBJECTS[subject]));
  }
  const cost = (subject: Subject): Cost => {
    const runs = samples.get(subject)!;
    return { cpu: median(runs.map((r) => r.cpu)), rss: median(runs.map((r) => r.rss)) };
  };
  for (const subject of subjects) {
    const { cpu, rss } = cost(subject);
    console.log(line(`${subject}: CPU`, fmt(cpu, 3), 's'));
    console.log(line(`${subject}: peak memory`, fmt(rss / MIB, 1), 'MiB'));
  }
  const core = cost('golem-rx (core entry, dist)');
  const rxjs = cost('rxjs alone');
  const cpuAbove = core.cpu - rxjs.cpu;
  const rssAbove = (core.rss - rxjs.rss) / MIB;
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(
    line(
      'golem-rx above rxjs: CPU',
      fmt(cpuAbove, 3),
      's',
      `goal ≤ ${CPU_GOAL_S}: ${met(cpuAbove <= CPU_GOAL_S)}`,
    ),
  );
  console.log(
    line(
      'golem-rx above rxjs: peak memory',
      fmt(rssAbove, 1),
      'MiB',
      `goal ≤ ${RSS_GOAL_MIB}: ${met(rssAbove <= RSS_GOAL_MIB)}`,
    ),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchImportCost();
