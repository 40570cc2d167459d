import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OfferDto } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import { offerRow, offerView } from '../src/market.js';
import { cliDevnet, envFor, lines, run, spawnCli } from './support.js';

describe('golem-rx market scan', () => {
  let devnet: DevnetHandle;
  let env: Record<string, string>;

  beforeAll(async () => {
    devnet = await cliDevnet();
  });
  afterAll(async () => devnet.stop());
  beforeEach(() => {
    env = envFor(devnet);
  });

  it('lists every offer once, one row a line, until the timeout; then the count; the scan is ended', async () => {
    const result = await run(['market', 'scan', '--timeout', '1s'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = lines(result.stdout);
    expect(header).toMatch(
      /^PROVIDER +NAME +RUNTIME +ARCH +CORES +THREADS +MEM GiB +DISK GiB +START +CPU\/H +ENV\/H$/,
    );
    expect(rows.pop()).toBe(`${devnet.providers.length} offer(s) found`);
    expect(rows.map((r) => r.split(/ +/)[0]).sort()).toEqual(devnet.providers.map((p) => p.id).sort());
    const first = devnet.providers.find((p) => rows[0]!.startsWith(p.id))!;
    expect(rows[0]).toMatch(new RegExp(`^${first.id} +${first.name} +vm +x86_64 +\\d+ +\\d+ `));
    expect(devnet.stats().scans).toBe(0);
    expect(devnet.stats().demands.subscribed).toBe(0); // no demand: a scan
  });

  it('--constraints: only the offers that satisfy them; --json: one offer object a line, the count on stderr', async () => {
    const threads = '(golem.inf.cpu.threads>=8)';
    const result = await run(['market', 'scan', '--constraints', threads, '--timeout', '500ms', '--json'], {
      env,
    });
    expect(result.code).toBe(0);
    const offers = lines(result.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.length).toBeLessThan(devnet.providers.length);
    expect(offers.every((o) => (o.threads as number) >= 8)).toBe(true);
    expect(offers[0]).toMatchObject({
      offerId: expect.any(String),
      providerId: expect.stringMatching(/^0x[0-9a-f]{40}$/),
      runtime: 'vm',
      prices: { start: expect.stringMatching(/^[\d.]+$/) },
    });
    expect(new Set(offers.map((o) => o.offerId)).size).toBe(offers.length);
    expect(result.stderr).toBe(`${offers.length} offer(s) found\n`);
  });

  it('Ctrl-C: stops at once, exits 0 with the count, the scan ended', async () => {
    const interrupt = new AbortController();
    const result = await run(['market', 'scan', '--timeout', '5m'], {
      env,
      interrupt: interrupt.signal,
      onStdout: (_text, all) => {
        if (lines(all).length >= 3) interrupt.abort();
      },
    });
    expect(result.code).toBe(0);
    expect(lines(result.stdout).at(-1)).toMatch(/^\d+ offer\(s\) found \(interrupted\)$/);
    expect(devnet.stats().scans).toBe(0);
  });

  it('invalid constraints: yagna’s 400 as one line, exit 1', async () => {
    const result = await run(['market', 'scan', '--constraints', '(golem.runtime.name=', '--timeout', '1s'], {
      env,
    });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^golem-rx: .*Invalid constraint/)]);
  });

  it('fails with one line when its scan poll cannot reach yagna after three retries', async () => {
    devnet.faults.add({
      kind: 'http',
      endpoint: 'GET /market-api/v1/scan/*/events',
      status: 503,
      count: 'always',
    });
    try {
      const result = await run(['market', 'scan', '--timeout', '5m'], { env });
      expect(result.code).toBe(1);
      expect(lines(result.stderr)).toEqual([expect.stringMatching(/^golem-rx: .*503/)]);
      expect(devnet.stats().scans).toBe(0);
    } finally {
      devnet.faults.clear();
    }
  });

  it('rejects a bad --timeout with one line and exit 2', async () => {
    const result = await run(['market', 'scan', '--timeout', '3x'], { env });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/'3x' is invalid. expected a duration/)]);
  });

  it('as a process: SIGINT ends the scan and exits 0', async () => {
    const child = spawnCli(['market', 'scan', '--timeout', '5m'], env);
    await child.waitFor('\n0x');
    expect(devnet.stats().scans).toBe(1);
    child.kill('SIGINT');
    const result = await child.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(devnet.stats().scans).toBe(0);
  });
});

describe('golem-rx find-node on the market scan', () => {
  let devnet: DevnetHandle;
  beforeAll(async () => {
    devnet = await cliDevnet();
  });
  afterAll(async () => devnet.stop());

  it('publishes no demand and ends its scan', async () => {
    const result = await run(['find-node', '--runtime', 'vm', '--limit', '2', '--json'], {
      env: envFor(devnet),
    });
    expect(result.code).toBe(0);
    const providers = lines(result.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(providers).toHaveLength(2);
    expect(providers[0]).toHaveProperty('offerId');
    expect(devnet.stats().demands.subscribed).toBe(0);
    expect(devnet.stats().scans).toBe(0);
  });

  it('finds nobody for a runtime no provider runs', async () => {
    const result = await run(['find-node', '--runtime', 'wasmtime', '--timeout', '300ms'], {
      env: envFor(devnet),
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toEqual([expect.stringMatching(/^ID /), '0 provider(s) found']);
  });
});

describe('offer view', () => {
  const offer: OfferDto = {
    offerId: 'o1',
    providerId: '0x00000000000000000000000000000000000000aa',
    timestamp: '2024-05-28T15:00:00Z',
    constraints: '(&)',
    properties: {
      'golem.node.id.name': 'lizard',
      'golem.runtime.name': 'vm',
      'golem.inf.cpu.architecture': 'x86_64',
      'golem.inf.cpu.cores': 4,
      'golem.inf.cpu.threads': 8,
      'golem.inf.mem.gib': 16,
      'golem.inf.storage.gib': 100,
      'golem.com.usage.vector': ['golem.usage.cpu_sec', 'golem.usage.duration_sec'],
      'golem.com.pricing.model.linear.coeffs': [0.0001, 0.00005, 0.01],
    },
  };

  it('is the provider view with the offer id', () => {
    const view = offerView(offer);
    expect(view).toMatchObject({ offerId: 'o1', providerId: offer.providerId, name: 'lizard', threads: 8 });
    expect(view).not.toHaveProperty('proposalId');
    expect(view.prices.cpuPerHour?.toFixed()).toBe('0.36');
    expect(offerRow(view)).toEqual([
      offer.providerId,
      'lizard',
      'vm',
      'x86_64',
      '4',
      '8',
      '16.0',
      '100.0',
      '0.01',
      '0.36',
      '0.18',
    ]);
  });
});
