import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tools = ['bash', 'curl', 'jq'].filter((tool) => !has(tool));

/** The README's curl session: the one `sh` block that starts with the devnet hint. */
function readmeSession(): string {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const block = /```sh\n(# after `npx golem-rx devnet`[\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error('README.md has no curl session block');
  return block[1]!;
}

describe.skipIf(tools.length > 0)(
  `the README's curl session${tools.length > 0 ? ` (SKIPPED: missing ${tools.join(', ')})` : ''}`,
  () => {
    let devnet: DevnetHandle;
    beforeAll(async () => {
      devnet = await startDevnet({ port: 0, providers: 20, seed: 1 });
    });
    afterAll(async () => {
      await devnet.stop();
    });

    it('rents a machine with plain curl: echo hello, invoice accepted, nothing left open', async () => {
      // async: devnet serves from this very process, so the shell must not block its event loop
      const { stdout: out } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', readmeSession()], {
        env: { ...process.env, URL: devnet.url, KEY: devnet.appKey },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const lines = out.trim().split('\n');
      expect(lines[0]).toBe('hello');
      expect(out).toMatch(/invoice [0-9a-f-]{36} accepted: \d+(\.\d+)? GLM/);
      const stats = JSON.parse(lines.at(-1)!) as {
        demands: { active: number };
        agreements: { Approved: number; Terminated: number };
        activities: { total: number; Terminated: number };
        allocations: { active: number; spent: string };
      };
      expect(stats.demands.active).toBe(0);
      expect(stats.agreements).toMatchObject({ Approved: 0, Terminated: 1 });
      expect(stats.activities).toMatchObject({ total: 1, Terminated: 1 });
      expect(stats.allocations.active).toBe(0);
      const accepted = devnet.stats() as unknown as { invoices: { accepted: number } };
      expect(accepted.invoices.accepted).toBe(1);
    });
  },
);
