import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import { cliDevnet, envFor, lines, run } from './support.js';

describe('golem-rx find-node', () => {
  let devnet: DevnetHandle;
  let api: YagnaApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    devnet = await cliDevnet();
    api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
  });
  afterAll(async () => devnet.stop());
  beforeEach(() => {
    env = envFor(devnet);
  });

  const sessionDemands = (): string[] => {
    if (!existsSync(env.GOLEM_RX_SESSION_FILE!)) return []; // find-node scans: it records nothing
    const file = JSON.parse(readFileSync(env.GOLEM_RX_SESSION_FILE!, 'utf8')) as {
      sessions: Record<string, { demands: string[] }>;
    };
    return Object.values(file.sessions).flatMap((s) => s.demands);
  };

  it('streams every matching provider once, prints the count, and leaves no demand', async () => {
    const result = await run(['find-node', '--runtime', 'vm', '--limit', '20', '--timeout', '20s'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = lines(result.stdout);
    expect(header).toMatch(/^ID +NAME +ARCH +CORES +THREADS +MEM GiB +DISK GiB +START +CPU\/H +ENV\/H$/);
    expect(rows.pop()).toBe('20 provider(s) found');
    const ids = rows.map((r) => r.split(/ +/)[0]);
    expect(new Set(ids)).toEqual(new Set(devnet.providers.map((p) => p.id)));
    const first = devnet.providers.find((p) => p.id === ids[0])!;
    expect(rows[0]).toMatch(
      new RegExp(
        `^${first.id} +${first.name} +x86_64 +\\d+ +\\d+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+$`,
      ),
    );
    expect(await api.market.getDemands()).toEqual([]);
    expect(sessionDemands()).toEqual([]);
  });

  it('--json: one provider object a line, amounts as decimal strings; the count on stderr', async () => {
    const result = await run(['find-node', '--runtime', 'vm', '--limit', '3', '--json'], { env });
    expect(result.code).toBe(0);
    const providers = lines(result.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(providers).toHaveLength(3);
    expect(providers[0]).toMatchObject({
      providerId: expect.stringMatching(/^0x[0-9a-f]{40}$/),
      runtime: 'vm',
      arch: 'x86_64',
      cores: expect.any(Number),
      prices: { start: expect.stringMatching(/^[\d.]+$/), cpuPerHour: expect.stringMatching(/^[\d.]+$/) },
    });
    expect(result.stderr).toBe('3 provider(s) found\n');
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const tty = await run(['find-node', '--runtime', 'vm', '--limit', '2', '--no-color'], {
      env,
      isTTY: { stderr: true },
    });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('\r\x1b[2Ksearching public for vm providers… 0 found');
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true); // the line is cleared at the end
    expect(lines(tty.stdout).at(-1)).toBe('2 provider(s) found');
  });

  it('finds nobody in an empty subnet ($YAGNA_SUBNET) and stops at --timeout', async () => {
    const result = await run(['find-node', '--runtime', 'vm', '--timeout', '300ms'], {
      env: { ...env, YAGNA_SUBNET: 'nowhere' },
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout).at(-1)).toBe('0 provider(s) found');
    expect(await api.market.getDemands()).toEqual([]);
  });

  it('Ctrl-C: stops the stream at once, leaves no demand, exits 0 with the count', async () => {
    const interrupt = new AbortController();
    const result = await run(['find-node', '--runtime', 'vm', '--timeout', '5m'], {
      env,
      interrupt: interrupt.signal,
      onStdout: (_text, all) => {
        if (lines(all).length >= 2) interrupt.abort();
      },
    });
    expect(result.code).toBe(0);
    expect(lines(result.stdout).at(-1)).toMatch(/^\d+ provider\(s\) found \(interrupted\)$/);
    expect(await api.market.getDemands()).toEqual([]);
    expect(sessionDemands()).toEqual([]);
  });

  it.each([
    [['find-node'], /required option '--runtime <name>' not specified/],
    [['find-node', '--runtime', 'vm', '--timeout', '30x'], /'30x' is invalid. expected a duration/],
    [['find-node', '--runtime', 'vm', '--limit', '0'], /'0' is invalid. expected a positive integer/],
    [['find-node', '--runtime', 'vm)(x', '--timeout', '1s'], /'vm\)\(x' is invalid/],
  ])('rejects %j with one line and exit 2', async (argv, message) => {
    const result = await run(argv, { env });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(message)]);
    expect(result.stdout).toBe('');
  });
});
