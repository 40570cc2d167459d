import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import { approvedAgreement } from '../../../test/api/support/rental.js';
import { closedPort, cliDevnet, envFor, invoicedRental, lines, run } from './support.js';

describe('golem-rx status', () => {
  let devnet: DevnetHandle;
  let api: YagnaApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    devnet = await cliDevnet();
    api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
    env = envFor(devnet);
    await approvedAgreement(api); // an allocation, a demand, an approved agreement
    await invoicedRental(api); // one more of each, the agreement terminated, its invoice pending
  });
  afterAll(async () => devnet.stop());

  it('prints the allocations and demands tables and the counts of agreements and pending invoices', async () => {
    const result = await run(['status'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = lines(result.stdout);
    expect(out[0]).toBe(`yagna ${devnet.url} as ${devnet.requestorId} (devnet)`);
    expect(out).toContain('Allocations (2)');
    expect(out).toContain('Demands (2)');
    expect(out.filter((l) => /^[0-9a-f]{8}-[0-9a-f-]{27} +0x/.test(l))).toHaveLength(2);
    expect(out.filter((l) => /^[0-9a-f]{32}-[0-9a-f]{64} +public +\d{4}-/.test(l))).toHaveLength(2);
    expect(out.slice(-2)).toEqual(['Agreements: 2 (1 approved)', 'Pending invoices: 1']);
  });

  it('--json: the same, as one JSON document', async () => {
    const result = await run(['status', '--json'], { env });
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(status).toMatchObject({
      yagna: { url: devnet.url, identity: devnet.requestorId, name: 'devnet' },
      agreements: { total: 2, approved: 1 },
      pendingInvoices: 1,
    });
    expect(status.allocations).toHaveLength(2);
    expect(status.demands).toHaveLength(2);
    expect((status.allocations as { totalAmount: unknown }[])[0]!.totalAmount).toBe('1');
  });

  it('--api-url and --app-key win over the environment', async () => {
    const result = await run(['--api-url', devnet.url, 'status', '--app-key', devnet.appKey, '--json'], {
      env: { YAGNA_API_URL: 'http://127.0.0.1:9', YAGNA_APPKEY: 'not-the-key' },
    });
    expect(result.code).toBe(0);
  });

  it('a wrong app key, a missing one, an unreachable yagna: one line, exit 1, never the key', async () => {
    const wrong = await run(['status'], { env: { ...env, YAGNA_APPKEY: 'wrong-key-0123' } });
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(lines(wrong.stderr)).toEqual([
      `golem-rx: yagna at ${devnet.url} rejected the app key (Invalid application key)`,
    ]);
    const missing = await run(['status'], { env: { YAGNA_API_URL: devnet.url } });
    expect(missing.stderr).toBe(
      `golem-rx: yagna at ${devnet.url} needs an app key: pass --app-key or set YAGNA_APPKEY\n`,
    );
    const port = await closedPort();
    const down = await run(['status', '--app-key', 'secret-key-42', '--debug'], {
      env: { YAGNA_API_URL: `http://127.0.0.1:${port}/?authToken=secret-key-42` },
    });
    expect(down.code).toBe(1);
    const [first, ...debug] = lines(down.stderr);
    expect(first).toBe(
      `golem-rx: cannot reach yagna at http://127.0.0.1:${port} (ECONNREFUSED): is it running? (set --api-url or YAGNA_API_URL)`,
    );
    expect(debug.join('\n')).toMatch(/YagnaNetworkError/); // --debug adds the stack
    expect(down.stderr).not.toContain('secret-key-42');
  });

  it('Ctrl-C while waiting for yagna: aborts the request, one line, exit 130', async () => {
    const slow = await startDevnet({ port: 0, providers: 1, latency: 5_000 });
    try {
      const interrupt = new AbortController();
      const running = run(['status'], { env: envFor(slow), interrupt: interrupt.signal });
      // Ctrl-C once the request is waiting in devnet (its 5 s latency)
      await vi.waitFor(() => expect(slow.stats().requests.total).toBeGreaterThan(0), { timeout: 10_000 });
      interrupt.abort();
      const result = await running;
      expect(result).toMatchObject({ code: 130, stdout: '', stderr: 'golem-rx: interrupted\n' });
    } finally {
      await slow.stop();
    }
  });

  it("commander's own errors never echo the app key", async () => {
    const result = await run(['allocation', 'new', 'key-123', '--app-key', 'key-123'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("value '***' is invalid");
    expect(result.stderr).not.toContain('key-123');
  });
});
