import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYagnaApi } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import { closedPort, cliDevnet, envFor, hasStackTrace, lines, run, spawnCli } from './support.js';

describe('golem-rx help and devnet (in-process)', () => {
  it('lists every command in one help, with the global options', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['status', 'find-node', 'allocation', 'demand', 'invoice', 'devnet']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    for (const option of ['--api-url', '--app-key', '--json', '--debug', '--no-color']) {
      expect(help.stdout).toContain(option);
    }
    const devnetHelp = await run(['devnet', '--help']);
    for (const flag of ['--port', '--providers', '--seed', '--app-key', '--latency', '--faults']) {
      expect(devnetHelp.stdout).toContain(flag);
    }
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: golem-rx');
    expect(await run(['bogus'])).toMatchObject({ code: 2, stderr: "golem-rx: unknown command 'bogus'\n" });
  });

  it('devnet: serves with the given flags until interrupted, then stops', async () => {
    const interrupt = new AbortController();
    let url = '';
    const running = run(
      ['devnet', '--port', '0', '--providers', '2', '--seed', '7', '--app-key', 'cli-devnet-key'],
      {
        interrupt: interrupt.signal,
        env: { YAGNA_APPKEY: 'ignored-env-key' }, // --app-key wins
        onStdout: (_text, all) => {
          const match = /YAGNA_API_URL=(\S+)/.exec(all);
          if (match !== null && url === '' && all.includes('Press Ctrl+C')) {
            url = match[1]!;
            interrupt.abort();
          }
        },
      },
    );
    const result = await running;
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(/^# devnet listening on http:\/\/127\.0\.0\.1:\d+ with 2 providers$/),
      `export YAGNA_API_URL=${url}`,
      'export YAGNA_APPKEY=cli-devnet-key',
      `export GOLEM_REGISTRY_URL=${url}`,
      '# Press Ctrl+C to stop.',
      '# devnet stopped',
    ]);
    await expect(fetch(`${url}/version/get`)).rejects.toThrow();
    expect(await run(['devnet', '--port', 'x'])).toMatchObject({
      code: 2,
      stderr: 'golem-rx: --port must be an integer from 0 to 65535\n',
    });
  });

  it('devnet: accepts the app key of YAGNA_APPKEY when --app-key is not given', async () => {
    const interrupt = new AbortController();
    let url = '';
    const result = await run(['devnet', '--port', '0', '--providers', '1'], {
      env: { YAGNA_APPKEY: 'env-devnet-key' },
      interrupt: interrupt.signal,
      onStdout: (_text, all) => {
        const match = /YAGNA_API_URL=(\S+)/.exec(all);
        if (match !== null && url === '' && all.includes('Press Ctrl+C')) {
          url = match[1]!;
          void fetch(`${url}/me`, { headers: { authorization: 'Bearer env-devnet-key' } }).then(
            (me) => {
              if (me.status === 200) interrupt.abort();
            },
            () => undefined,
          );
        }
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('export YAGNA_APPKEY=env-devnet-key\n');
    expect(result.stdout).toContain('# devnet stopped\n');
  });

  it('devnet --port 99999 is a usage error (exit 2, one line), not an internal error', async () => {
    const result = await run(['devnet', '--port', '99999']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'golem-rx: --port must be an integer from 0 to 65535\n',
    });
  });
});

describe('golem-rx as a process', () => {
  let devnet: DevnetHandle;
  beforeAll(async () => {
    devnet = await cliDevnet();
  });
  afterAll(async () => devnet.stop());

  it('bad input, a wrong key, an unreachable yagna: one line, non-zero exit, no stack trace, no key', async () => {
    const env = envFor(devnet);
    const port = await closedPort();
    const [badAmount, badDuration, wrongKey, down] = await Promise.all([
      spawnCli(['allocation', 'new', 'five'], env).done,
      spawnCli(['find-node', '--runtime', 'vm', '--timeout', 'soon'], env).done,
      spawnCli(['status'], { ...env, YAGNA_APPKEY: 'wrong-secret-key' }).done,
      spawnCli(['status', '--app-key', 'another-secret'], {
        ...env,
        YAGNA_API_URL: `http://127.0.0.1:${port}`,
      }).done,
    ]);
    for (const [result, code] of [
      [badAmount, 2],
      [badDuration, 2],
      [wrongKey, 1],
      [down, 1],
    ] as const) {
      expect(result.code).toBe(code);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/^golem-rx: /);
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(result.stdout).toBe('');
    }
    expect(wrongKey.stderr).toContain('rejected the app key');
    expect(wrongKey.stderr).not.toContain('wrong-secret-key');
    expect(down.stderr).toContain('cannot reach yagna');
    expect(down.stderr).not.toContain('another-secret');
  });

  it('find-node: Ctrl-C (SIGINT) exits 0 after ending its market scan', async () => {
    const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
    const child = spawnCli(['find-node', '--runtime', 'vm', '--timeout', '5m'], envFor(devnet));
    await child.waitFor('\n0x'); // the header, then a first provider
    expect(devnet.stats().scans).toBe(1);
    child.kill('SIGINT');
    const result = await child.done;
    expect(result.code).toBe(0);
    expect(lines(result.stdout).at(-1)).toMatch(/^\d+ provider\(s\) found \(interrupted\)$/);
    expect(result.stderr).toBe('');
    expect(await api.market.getDemands()).toEqual([]);
    expect(devnet.stats().scans).toBe(0);
  });

  it('find-node | head: a reader that went away is an interrupt, not a crash', async () => {
    const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
    // the closed pipe is noticed at the next write: here the count, after the timeout
    const child = spawnCli(['find-node', '--runtime', 'vm', '--timeout', '1s'], envFor(devnet));
    await child.waitFor('\n0x');
    child.closeStdout();
    const result = await child.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(await api.market.getDemands()).toEqual([]);
  });
});
