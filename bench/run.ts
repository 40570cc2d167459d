// The benchmark runner: `npm run bench` runs every bench module of bench/ that exists;
// `npm run bench -- devnet operators` runs a subset. Benches print figures and ratios and assert
// nothing about time. Some benches want `--expose-gc`: without `global.gc` the runner re-executes
// itself once as `node --expose-gc --import tsx bench/run.ts …`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type TargetResult, reportedTargets } from './targets.js';

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
  { name: 'line-rate', file: 'lineRate.ts', exportName: 'benchLineRate' },
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
  printTargets(benches);
  return failed === 0 ? 0 : 1;
}

/** Issue 15's targets: the bench that measures each, by the first part of its id. */
const TARGETS: readonly { readonly id: string; readonly name: string; readonly bench: string }[] = [
  {
    id: '1',
    name: '50 agreements / 2,000 offers at 5 ms within 1.5× the round-trip limit',
    bench: 'pipeline',
  },
  { id: '2', name: 'proposals at line rate (HTTP ≥ 50,000/s, operators ≥ 200,000/s)', bench: 'line-rate' },
  { id: '3', name: 'the bus ahead of lahja in every row', bench: 'bus' },
  { id: '4', name: 'requests per rental, wall time next to the round-trip limit', bench: 'rent-one' },
];

/** A value or goal as printed: numbers with thousands separators, then the unit if any. */
function show(value: string | number, unit: string | undefined): string {
  if (typeof value === 'string') return value;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 });
  return unit === undefined ? text : `${text} ${unit}`;
}

/** Prints the table of issue 15's targets as reported by the benches of this run. */
function printTargets(ran: readonly BenchEntry[]): void {
  const rows: TargetResult[] = [...reportedTargets()];
  for (const target of TARGETS) {
    if (rows.some((r) => /^\d+/.exec(r.id)?.[0] === target.id)) continue;
    const selected = ran.some((b) => b.name === target.bench);
    rows.push({
      id: target.id,
      name: target.name,
      value: '–',
      goal: '–',
      met: false,
      note: selected ? 'not reported (see the bench output above)' : `not run (bench ${target.bench})`,
    });
  }
  rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const met = rows.filter((r) => r.met).length;
  console.log(`\n=== issue 15 targets (this run) ${'='.repeat(39)}`);
  const head = ['id', 'target', 'value', 'goal', 'ratio', 'met'];
  const cells = rows.map((r) => [
    r.id,
    r.name,
    show(r.value, r.unit),
    show(r.goal, r.unit),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.value === '–' ? '–' : r.met ? 'met' : 'NOT met',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmtRow = (c: readonly string[]): string =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(fmtRow(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r, i) => {
    console.log(fmtRow(cells[i]!));
    if (r.note !== undefined) console.log(`${' '.repeat(widths[0]! + 2)}  ↳ ${r.note}`);
  });
  const measured = rows.filter((r) => r.value !== '–').length;
  console.log(
    `${met} of ${measured} measured met` +
      (measured < rows.length ? `; ${rows.length - measured} not measured` : ''),
  );
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
