/**
 * The README's Quick start, as written: the `ts` block under `## Quick start` is copied out of
 * README.md, type-checked with tsc, and run with tsx against devnet, importing the built package by its name
 * (`golem-rx`, the package's own exports map), as a user's script would. It must rent, run, pay,
 * close and exit 0 by itself, leaving nothing open on devnet.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import { agreementStats, openCounts } from './support.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const built = existsSync(join(root, 'dist/index.js'));

/** The code block under `## Quick start` in README.md. */
function quickStart(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start\n+```ts\n([\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error('README.md has no ts block under "## Quick start"');
  return block[1]!;
}

describe.skipIf(!built)(
  `the README's Quick start${built ? '' : ' (SKIPPED: run `npm run build` first)'}`,
  () => {
    let devnet: DevnetHandle;
    // inside the package, so that `import … from 'golem-rx'` resolves to the build through the
    // package's own exports map, as it does in a user's project
    const dir = join(root, '.tmp', `quickstart-${process.pid}`);
    const script = join(dir, 'quickstart.mts');

    beforeAll(async () => {
      devnet = await startDevnet({ port: 0, providers: 6, seed: 5 });
      mkdirSync(dir, { recursive: true });
      writeFileSync(script, quickStart());
      writeFileSync(join(dir, 'tsconfig.json'), '{}');
    });
    afterAll(async () => {
      await devnet.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('type-checks as written, against the built declarations', async () => {
      const tsc = join(root, 'node_modules', '.bin', 'tsc');
      const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--target', 'es2022'];
      await promisify(execFile)(tsc, [...args, '--lib', 'es2022,esnext.disposable,dom', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
    }, 90_000);

    it('rents two providers, runs a command on each, pays, closes and exits 0 by itself', async () => {
      const tsx = join(root, 'node_modules', '.bin', 'tsx');
      // async: devnet serves from this very process, so the child must not block its event loop
      const { stdout } = await promisify(execFile)(tsx, [script], {
        cwd: root,
        env: {
          ...process.env,
          // tsx would otherwise read the repository's tsconfig, whose paths point golem-rx at its
          // sources: the Quick start must run against the build, as a user's script does
          TSX_TSCONFIG_PATH: join(dir, 'tsconfig.json'),
          YAGNA_API_URL: devnet.url,
          YAGNA_APPKEY: devnet.appKey,
          GOLEM_REGISTRY_URL: devnet.registryUrl,
        },
        encoding: 'utf8',
        timeout: 90_000,
      });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/^0x[0-9a-f]{40} hello from golem$/);
      // exactly two agreements, both terminated and their invoices paid; nothing left open
      expect(agreementStats(devnet)).toMatchObject({ total: 2, Terminated: 2 });
      expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
      const stats = devnet.stats() as unknown as { invoices: Record<string, number> };
      expect(stats.invoices.accepted).toBe(2);
    }, 120_000);
  },
);
