/**
 * docs/rentals.md, as written: every `ts` block marked `<!-- runnable: name -->` (and the README's
 * "Rentals" block) is copied out, type-checked with tsc, and run with tsx against devnet
 * (`golem-rx` resolving to the sources through the repository's tsconfig paths), as a user's
 * script would run. Each must exit 0 by itself and print what the page says; devnet is left with
 * nothing open.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import { NOTHING_OPEN, openCounts } from './support.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** The runnable blocks of docs/rentals.md, by name, and the README's "Rentals" block (`readme`). */
function examples(): Map<string, string> {
  const doc = readFileSync(join(root, 'docs/rentals.md'), 'utf8');
  const found = new Map<string, string>();
  for (const match of doc.matchAll(/<!-- runnable: ([\w-]+) -->\n+```ts\n([\s\S]*?)```/g)) {
    found.set(match[1]!, match[2]!);
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Rentals\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block !== undefined) found.set('readme', block);
  return found;
}

describe('docs/rentals.md', () => {
  let devnet: DevnetHandle;
  const dir = join(root, '.tmp', `rentals-docs-${process.pid}`);
  const blocks = examples();

  beforeAll(async () => {
    devnet = await startDevnet({
      port: 0,
      providers: 5,
      seed: 3,
      thinkTimeMs: [1, 5],
      approvalDelayMs: [1, 5],
    });
    mkdirSync(dir, { recursive: true });
    for (const [name, code] of blocks) writeFileSync(join(dir, `${name}.mts`), code);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.json',
        include: ['*.mts'],
        compilerOptions: { noEmit: true },
      }),
    );
  });
  afterAll(async () => {
    await devnet.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("has the four runnable examples, and the README's", () => {
    expect([...blocks.keys()]).toEqual(['rent', 'pool', 'terms', 'network', 'readme']);
  });

  it('type-checks them as written', async () => {
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    await run(tsc, ['-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  }, 150_000);

  /** Runs one example with tsx against devnet: its stdout lines. */
  async function runExample(name: string): Promise<string[]> {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    // async: devnet serves from this very process, so the child must not block its event loop
    const { stdout } = await run(tsx, [join(dir, `${name}.mts`)], {
      cwd: root,
      env: {
        ...process.env,
        YAGNA_API_URL: devnet.url,
        YAGNA_APPKEY: devnet.appKey,
        GOLEM_REGISTRY_URL: devnet.registryUrl,
      },
      encoding: 'utf8',
      timeout: 90_000,
    });
    return stdout.trim().split('\n');
  }

  it('one rental: runs, streams, moves a file, runs a batch, stops settled', async () => {
    const lines = await runExample('rent');
    expect(lines[0]).toMatch(/^0x[0-9a-f]{40} hello from \/golem\/work$/);
    expect(lines.slice(1)).toEqual([
      'streamed 1 2 3',
      'count 10 /golem/work/note.txt',
      'commands 2',
      'stopped requested accepted',
    ]);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  }, 120_000);

  it('a pool: withRental, acquire/release, drain', async () => {
    const lines = await runExample('pool');
    expect(lines.filter((line) => line.startsWith('added')).length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((line) => !line.startsWith('added') && !line.startsWith('state'))).toEqual([
      'outputs abcde',
      'acquired busy',
      expect.stringMatching(/^drained true [123]$/),
    ]);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  }, 120_000);

  it('activity terms: the budget estimate, a timeout', async () => {
    const lines = await runExample('terms');
    // 3 × (0.01 + 0.00003 × 60 s + 0.0001 × 60 s) = 3 × 0.0178
    expect(lines).toEqual(['budget 0.0534', 'event timedOut', 'event stopped', 'stopped timeout accepted']);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  }, 120_000);

  it('files through GSB, a VPN and a TCP proxy', async () => {
    const lines = await runExample('network');
    expect(lines).toEqual([
      'sha256 matches true',
      expect.stringMatching(/^192\.168\.0\.\d+ hello through the VPN$/),
    ]);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  }, 120_000);

  it("the README's Rentals block", async () => {
    expect(await runExample('readme')).toEqual(["[ 'a', 'b', 'c' ]"]);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  }, 120_000);
});
