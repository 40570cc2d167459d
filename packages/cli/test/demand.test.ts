import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import { cliDevnet, envFor, lines, run } from './support.js';

describe('golem-rx demand', () => {
  let devnet: DevnetHandle;
  let api: YagnaApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    devnet = await cliDevnet();
    api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
  });
  afterAll(async () => devnet.stop());
  beforeEach(async () => {
    env = envFor(devnet);
    for (const d of await api.market.getDemands()) await api.market.unsubscribeDemand(d.demandId);
  });

  const subscribe = (subnet: string, expiresInMs: number): Promise<string> =>
    api.market.subscribeDemand({
      properties: {
        'golem.srv.comp.expiration': Date.now() + expiresInMs,
        'golem.node.debug.subnet': subnet,
      },
      constraints: '(golem.runtime.name=vm)',
    });
  const active = async (): Promise<string[]> => (await api.market.getDemands()).map((d) => d.demandId).sort();
  /** Records ids as created by this CLI, as a find-node killed before it could unsubscribe would leave them. */
  const recordAsMine = (ids: string[]): void =>
    writeFileSync(
      env.GOLEM_RX_SESSION_FILE!,
      JSON.stringify({
        version: 1,
        sessions: { [`${devnet.url} ${devnet.requestorId}`]: { allocations: [], demands: ids } },
      }),
    );

  it("list: id, subnet, created and expiry; --only-expired and --mine filter; --json gives yagna's demands", async () => {
    const live = await subscribe('public', 600_000);
    const expired = await subscribe('devnet-beta', -60_000);
    const listed = await run(['demand', 'list'], { env });
    expect(listed.code).toBe(0);
    const [header, ...rows] = lines(listed.stdout);
    expect(header).toMatch(/^ID +SUBNET +CREATED +EXPIRES$/);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.startsWith(expired))).toMatch(/ devnet-beta +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ /);

    const onlyExpired = await run(['demand', 'list', '--only-expired', '--json'], { env });
    expect((JSON.parse(onlyExpired.stdout) as { demandId: string }[]).map((d) => d.demandId)).toEqual([
      expired,
    ]);

    recordAsMine([live, 'gone-demand-id']);
    const mine = await run(['demand', 'list', '--mine', '--json'], { env });
    expect((JSON.parse(mine.stdout) as { demandId: string }[]).map((d) => d.demandId)).toEqual([live]);
    const both = await run(['demand', 'list', '--mine', '--only-expired'], { env });
    expect(both).toMatchObject({ code: 0, stdout: 'no demands\n' });
  });

  it('clear --only-expired --yes: unsubscribes only the expired ones', async () => {
    const live = await subscribe('public', 600_000);
    await subscribe('public', -1_000);
    await subscribe('public', -2_000);
    const result = await run(['demand', 'clear', '--only-expired', '--yes'], { env });
    expect(result).toMatchObject({ code: 0, stdout: 'unsubscribed 2 demands\n', stderr: '' });
    expect(await active()).toEqual([live]);
  });

  it("clear --mine: only the demands recorded in this CLI's session, without asking; forgets them", async () => {
    const foreign = await subscribe('public', 600_000);
    const leftover = await subscribe('public', 600_000);
    recordAsMine([leftover]);
    const result = await run(['demand', 'clear', '--mine', '--json'], { env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      unsubscribed: [leftover],
      alreadyGone: [],
      failed: [],
      skipped: [],
    });
    expect(await active()).toEqual([foreign]);
    expect((await run(['demand', 'list', '--mine'], { env })).stdout).toBe('no demands\n');
  });

  it('clear without --mine: app-key-wide, so it refuses on a non-terminal without --yes', async () => {
    await subscribe('public', 600_000);
    const noneExpired = await run(['demand', 'clear', '--only-expired'], { env });
    expect(noneExpired).toMatchObject({ code: 0, stdout: 'no demands to unsubscribe\n' });
    const wide = await run(['demand', 'clear'], { env });
    expect(wide.code).toBe(2);
    expect(lines(wide.stderr)).toEqual([
      'golem-rx: refusing to unsubscribe all 1 demand(s) of this app key without confirmation: pass --yes, or --mine for only what this CLI created',
    ]);
    expect(await active()).toHaveLength(1);
    expect((await run(['demand', 'clear', '-y'], { env })).code).toBe(0);
    expect(await active()).toEqual([]);
  });
});
