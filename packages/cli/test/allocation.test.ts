import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import { cliDevnet, envFor, lines, run, tempSessionFile } from './support.js';

const ANSI = new RegExp(String.fromCharCode(27) + '\\[');

describe('golem-rx allocation', () => {
  let devnet: DevnetHandle;
  let api: YagnaApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    devnet = await cliDevnet();
    api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
  });
  afterAll(async () => devnet.stop());
  beforeEach(async () => {
    env = envFor(devnet, tempSessionFile());
    for (const a of await api.payment.getAllocations()) await api.payment.releaseAllocation(a.allocationId);
  });

  const activeIds = async (): Promise<string[]> =>
    (await api.payment.getAllocations()).map((a) => a.allocationId);

  it('new: creates an allocation with a decimal amount, prints it and records it in the session file', async () => {
    const result = await run(['allocation', 'new', '5.25', '--json'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [created] = JSON.parse(result.stdout) as [
      { allocationId: string; totalAmount: string; paymentPlatform: string },
    ];
    expect(created.totalAmount).toBe('5.25');
    expect(created.paymentPlatform).toBe('erc20-holesky-tglm');
    expect(await activeIds()).toEqual([created.allocationId]);
    const file = JSON.parse(readFileSync(env.GOLEM_RX_SESSION_FILE!, 'utf8')) as {
      sessions: Record<string, { allocations: string[] }>;
    };
    const [key] = Object.keys(file.sessions);
    expect(key).toBe(`${devnet.url} ${devnet.requestorId}`);
    expect(file.sessions[key!]!.allocations).toEqual([created.allocationId]);
    expect(readFileSync(env.GOLEM_RX_SESSION_FILE!, 'utf8')).not.toContain(devnet.appKey);
  });

  it('new: honours --network, --driver and --expires', async () => {
    const before = Date.now();
    const result = await run(
      ['allocation', 'new', '2', '--network', 'polygon', '--driver', 'erc20', '--expires', '1h', '--json'],
      { env },
    );
    expect(result.code).toBe(0);
    const [a] = JSON.parse(result.stdout) as [{ paymentPlatform: string; timeout: string }];
    expect(a.paymentPlatform).toBe('erc20-polygon-glm');
    const expires = new Date(a.timeout).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000 - 2_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000 + 2_000);
  });

  it.each([['abc'], ['-3'], ['0'], ['1e5'], ['0.0000000000000000001'], ['1.1234567890123456789']])(
    'new: rejects the amount %s with one line and exit 2',
    async (amount) => {
      const result = await run(['allocation', 'new', '--', amount], { env });
      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/^golem-rx: .*invalid for argument 'amount'/);
      expect(await activeIds()).toEqual([]);
    },
  );

  it('new: an amount finer than the 18 decimals of GLM is a usage error that says so', async () => {
    const result = await run(['allocation', 'new', '0.0000000000000000001'], { env });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^golem-rx: .*GLM has 18 decimals: the smallest amount is 0\.000000000000000001/),
    ]);
    expect((await run(['allocation', 'new', '0.000000000000000001', '--json'], { env })).code).toBe(0);
  });

  it.each([['99999999999999h'], ['87601h'], ['1e9'], ['0ms'], ['0.0001ms']])(
    'new: --expires %s is a usage error (exit 2, one line), not an internal error',
    async (expires) => {
      const result = await run(['allocation', 'new', '1', '--expires', expires], { env });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(
          /^golem-rx: option '--expires <duration>' argument '.*' is invalid\. expected /,
        ),
      ]);
      expect(await activeIds()).toEqual([]);
    },
  );

  it('new: --expires takes up to 10 years', async () => {
    const result = await run(['allocation', 'new', '1', '--expires', '87600h', '--json'], { env });
    expect(result.code).toBe(0);
    const [a] = JSON.parse(result.stdout) as [{ timeout: string }];
    expect(new Date(a.timeout).getTime()).toBeGreaterThan(Date.now() + 87_599 * 3_600_000);
  });

  it('new: reports what yagna refuses (an unknown network) in one line, exit 1', async () => {
    const result = await run(['allocation', 'new', '1', '--network', 'nowhere'], { env });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^golem-rx: yagna refused: .*\[400\]$/)]);
  });

  it('list: a plain table on a non-terminal, boxed and coloured on a terminal, none with NO_COLOR', async () => {
    await run(['allocation', 'new', '1'], { env });
    const plain = await run(['allocation', 'list'], { env });
    expect(plain.code).toBe(0);
    const [header, row] = lines(plain.stdout);
    expect(header).toMatch(/^ID +ADDRESS +NETWORK +DRIVER +TOTAL +REMAINING +EXPIRES$/);
    expect(row).toMatch(/^[0-9a-f-]{36} +0x[0-9a-f]{40} +holesky +erc20 +1 +1 +never$/);
    expect(plain.stdout).not.toMatch(ANSI);
    const tty = await run(['allocation', 'list'], { env, isTTY: { stdout: true } });
    expect(tty.stdout).toContain('┌');
    expect(tty.stdout).toMatch(ANSI);
    for (const noColor of [{ ...env, NO_COLOR: '1' }, env]) {
      const args = noColor === env ? ['allocation', 'list', '--no-color'] : ['allocation', 'list'];
      const result = await run(args, { env: noColor, isTTY: { stdout: true } });
      expect(result.stdout).toContain('┌');
      expect(result.stdout).not.toMatch(ANSI);
    }
    expect(
      (await run(['allocation', 'list', '--json'], { env, isTTY: { stdout: true } })).stdout,
    ).not.toMatch(ANSI);
  });

  it('list --mine and clean --mine: only what this CLI created, without asking', async () => {
    const foreign = await api.payment.createAllocation({ totalAmount: '3' });
    const mine = JSON.parse((await run(['allocation', 'new', '1', '--json'], { env })).stdout) as [
      { allocationId: string },
    ];
    const listed = await run(['allocation', 'list', '--mine', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { allocationId: string }[]).map((a) => a.allocationId)).toEqual([
      mine[0].allocationId,
    ]);
    const all = await run(['allocation', 'list', '--json'], { env });
    expect(JSON.parse(all.stdout)).toHaveLength(2);

    const cleaned = await run(['allocation', 'clean', '--mine'], { env });
    expect(cleaned).toMatchObject({ code: 0, stdout: 'released 1 allocation\n', stderr: '' });
    expect(await activeIds()).toEqual([foreign.allocationId]);
    expect(JSON.parse(readFileSync(env.GOLEM_RX_SESSION_FILE!, 'utf8'))).toEqual({
      version: 1,
      sessions: {},
    });
    const again = await run(['allocation', 'clean', '--mine'], { env });
    expect(again).toMatchObject({ code: 0, stdout: 'no allocations to release\n' });
  });

  it('clean without --mine: refuses on a non-terminal without --yes, releases everything with it', async () => {
    await api.payment.createAllocation({ totalAmount: '3' });
    await run(['allocation', 'new', '1'], { env });
    const refused = await run(['allocation', 'clean'], { env });
    expect(refused.code).toBe(2);
    expect(lines(refused.stderr)).toEqual([
      'golem-rx: refusing to release all 2 allocation(s) of this app key without confirmation: pass --yes, or --mine for only what this CLI created',
    ]);
    expect(await activeIds()).toHaveLength(2);
    // a terminal on stdout only is not enough: nobody can answer on stdin
    expect((await run(['allocation', 'clean'], { env, isTTY: { stdout: true, stderr: true } })).code).toBe(2);

    const done = await run(['allocation', 'clear', '--yes', '--json'], { env });
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      released: expect.any(Array),
      failed: [],
      alreadyGone: [],
    });
    expect((JSON.parse(done.stdout) as { released: string[] }).released).toHaveLength(2);
    expect(await activeIds()).toEqual([]);
  });

  it('clean on a terminal: asks, and does nothing unless the answer is yes', async () => {
    await api.payment.createAllocation({ totalAmount: '3' });
    env.NO_COLOR = '1';
    const tty = { stdin: true, stderr: true };
    const answer = (text: string): PassThrough => {
      const stdin = new PassThrough();
      stdin.end(text);
      return stdin;
    };
    const declined = await run(['allocation', 'clean'], { env, isTTY: tty, stdin: answer('n\n') });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain(
      'Release all 1 allocation(s) of this app key (3 GLM remaining), not only the ones golem-rx created? [y/N] ',
    );
    expect(declined.stderr).toContain('golem-rx: aborted: nothing was changed');
    expect(await activeIds()).toHaveLength(1);

    const interrupt = new AbortController();
    const pending = run(['allocation', 'clean'], {
      env,
      isTTY: tty,
      stdin: new PassThrough(),
      interrupt: interrupt.signal,
      // Ctrl-C while the question waits for an answer
      onStderr: (_text, all) => {
        if (all.includes('[y/N] ')) interrupt.abort();
      },
    });
    const interrupted = await pending;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('[y/N] ');
    expect(await activeIds()).toHaveLength(1);

    const accepted = await run(['allocation', 'clean'], { env, isTTY: tty, stdin: answer('yes\n') });
    expect(accepted).toMatchObject({ code: 0, stdout: 'released 1 allocation\n' });
    expect(await activeIds()).toEqual([]);
  });
});
