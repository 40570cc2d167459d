// The benchmark runner: `npm run bench` runs every bench module of bench/ that exists;
// `npm run bench -- devnet operators` runs a subset. Benches print figures and ratios and assert
// nothing about time. Some benches want `--expose-gc`: without `global.gc` the runner re-executes
// itself once as `node --expose-gc --import tsx bench/run.ts …`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A bench module: its name on the command line, its file in bench/, its exported function. */
interface BenchEntry {
  readonly name: string;
  readonly file: string;
  readonly exportName: string;
}

/** Every bench the runner knows, in the order it runs them. */
const BENCHES: readonly BenchEntry[] = [
  { name: 'devnet', file: 'devnet.ts', exportName: 'benchDevnet' },
  { name: 'operators', file: 'operators.ts', exportName: 'benchOperators' },
  { name: 'tasks', file: 'tasks.ts', exportName: 'benchTasks' },
  { name: 'bus', file: 'bus.ts', exportName: 'benchBus' },
  { name: 'pipeline', file: 'pipeline.ts', exportName: 'benchPipeline' },
  { name: 'rent-one', file: 'rentOne.ts', exportName: 'benchRentOne' },
  { name: 'memory', file: 'memory.ts', exportName: 'benchMemory' },
  { name: 'import-cost', file: 'importCost.ts', exportName: 'benchImportCost' },
];

/** Set in the re-executed child so that it never re-executes again. */
const REEXEC_FLAG = 'GOLEM_RX_BENCH_REEXEC';

const here = dirname(fileURLToPath(import.meta.url));

function selected(args: readonly string[]): readonly BenchEntry[] {
  const names = args.filter((a) => a !== '--');
  if (names.length === 0) return BENCHES;
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown bench ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`,
    );
  }
  return BENCHES.filter((b) => names.includes(b.name));
}

async function runOne(entry: BenchEntry): Promise<'ok' | 'absent' | 'failed'> {
  const path = join(here, entry.file);
  console.log(`\n=== ${entry.name} (bench/${entry.file}) ${'='.repeat(Math.max(0, 56 - entry.name.length))}`);
  if (!existsSync(path)) {
    console.log(`${entry.name}: not present`);
    return 'absent';
  }
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const bench = mod[entry.exportName];
    if (typeof bench !== 'function') {
      throw new Error(`bench/${entry.file} does not export a function ${entry.exportName}`);
    }
    await (bench as () => Promise<void>)();
    console.log(`(${entry.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return 'ok';
  } catch (err) {
    console.error(`${entry.name}: FAILED`);
    console.error(err);
    return 'failed';
  }
}

async function main(args: readonly string[]): Promise<number> {
  const benches = selected(args);
  const outcomes: string[] = [];
  let failed = 0;
  for (const entry of benches) {
    const outcome = await runOne(entry);
    if (outcome === 'failed') failed += 1;
    outcomes.push(`${entry.name.padEnd(10)} ${outcome === 'absent' ? 'not present' : outcome}`);
  }
  console.log(`\n=== summary ${'='.repeat(58)}`);
  for (const line of outcomes) console.log(line);
  return failed === 0 ? 0 : 1;
}

const args = process.argv.slice(2);
if (typeof globalThis.gc !== 'function' && process.env[REEXEC_FLAG] === undefined) {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...args],
    { stdio: 'inherit', env: { ...process.env, [REEXEC_FLAG]: '1' } },
  );
  if (child.error !== undefined) throw child.error;
  process.exitCode = child.status ?? 1;
} else {
  main(args).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 2;
    },
  );
}
