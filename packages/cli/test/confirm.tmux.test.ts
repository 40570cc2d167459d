/**
 * The interactive confirmation on a real terminal: `golem-rx allocation clean` runs inside tmux,
 * the test reads the prompt from the pane and types the answer. Skips itself (saying why) only
 * when tmux is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import { CLI, ROOT, cliDevnet, envFor } from './support.js';

const HAS_TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const SOCKET = `golem-rx-cli-test-${process.pid}`;

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `golem-rx …args` in a new tmux window; resolves the pane reader and the exit code. */
function inTmux(name: string, args: string[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'golem-rx-tmux-'));
  const exitFile = join(dir, 'exit');
  const vars = Object.entries({ PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const command = `cd '${ROOT}' && env -i ${vars} '${process.execPath}' ${CLI.map((a) => `'${a}'`).join(' ')} ${args.join(' ')}; echo $? > '${exitFile}'; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', '220', '-y', '40', command);
  return {
    /** The screen (the window stays open after the CLI exits, until `close`). */
    pane: (): string => tmux('capture-pane', '-p', '-t', name),
    keys: (...keys: string[]): string => tmux('send-keys', '-t', name, ...keys),
    exitCode: (): Promise<number> =>
      until(
        () => (existsSync(exitFile) ? Number(readFileSync(exitFile, 'utf8').trim()) : undefined),
        `${name} to exit`,
      ),
    close: (): string => tmux('kill-session', '-t', name),
  };
}

describe.runIf(HAS_TMUX)(
  `golem-rx confirmation on a terminal (tmux)${HAS_TMUX ? '' : ' (SKIPPED: tmux is not installed; .ci/run installs it)'}`,
  () => {
    let devnet: DevnetHandle;
    let api: YagnaApi;
    beforeAll(async () => {
      devnet = await cliDevnet();
      api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
    });
    afterAll(async () => {
      spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
      await devnet.stop();
    });

    const active = async (): Promise<number> => (await api.payment.getAllocations()).length;

    it.each([
      ['n', ['n', 'Enter'], 1, 'golem-rx: aborted: nothing was changed'],
      ['ctrl-c', ['C-c'], 130, 'golem-rx: interrupted: nothing was changed'],
      ['y', ['y', 'Enter'], 0, 'released 2 allocations'],
    ])('answering %s', async (name, keys, expectedCode, expectedText) => {
      if ((await active()) === 0) {
        await api.payment.createAllocation({ totalAmount: '1' });
        await api.payment.createAllocation({ totalAmount: '2' });
      }
      const session = inTmux(name, ['allocation', 'clean'], envFor(devnet));
      await until(() => (session.pane().includes('[y/N]') ? true : undefined), 'the prompt');
      expect(session.pane()).toContain('Release all 2 allocation(s) of this app key (3 GLM remaining)');
      session.keys(...keys);
      expect(await session.exitCode()).toBe(expectedCode);
      const screen = session.pane();
      session.close();
      expect(screen).toContain(expectedText);
      expect(screen).not.toMatch(/^\s+at /m);
      expect(await active()).toBe(expectedCode === 0 ? 0 : 2);
    });
  },
);
