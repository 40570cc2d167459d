import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { REQUESTOR_ID, eventually, startHarness } from '../activity/harness.js';
import type { Harness } from '../activity/harness.js';

const P = '/payment-api/v1';

describe('devnet payment: accounts and allocations', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ payment: { balances: { 'erc20-polygon-glm': '100' } } });
  });
  afterEach(async () => h.close());

  it('lists one requestor account per platform at the requestor address', async () => {
    const res = await h.call('GET', `${P}/requestorAccounts`);
    expect(res.status).toBe(200);
    const accounts = res.body as { platform: string; address: string; send: boolean; token: string }[];
    expect(accounts.map((a) => a.platform)).toEqual(
      expect.arrayContaining(['erc20-holesky-tglm', 'erc20-hoodi-tglm', 'erc20-polygon-glm']),
    );
    for (const a of accounts) {
      expect(a).toMatchObject({ address: REQUESTOR_ID, driver: 'erc20', send: true, receive: false });
    }
    expect(accounts.find((a) => a.platform === 'erc20-polygon-glm')?.token).toBe('GLM');
  });

  it('creates an allocation with the Real defaults and answers 201', async () => {
    const res = await h.call('POST', `${P}/allocations`, {
      totalAmount: '5.0',
      allocationId: '',
      spentAmount: '',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      address: REQUESTOR_ID,
      paymentPlatform: 'erc20-holesky-tglm',
      totalAmount: '5',
      spentAmount: '0',
      remainingAmount: '5',
      makeDeposit: false,
    });
    const a = res.body as { allocationId: string; timestamp: string; timeout?: string };
    expect(a.allocationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(a.timeout).toBeUndefined();
  });

  it('accepts the platform as a string or as an object, and a JSON number amount', async () => {
    const s = await h.call('POST', `${P}/allocations`, {
      totalAmount: '1',
      paymentPlatform: 'erc20-hoodi-tglm',
    });
    expect(s.body).toMatchObject({ paymentPlatform: 'erc20-hoodi-tglm' });
    const o = await h.call('POST', `${P}/allocations`, {
      totalAmount: 2.5,
      paymentPlatform: { driver: 'erc20', network: 'polygon', token: 'GLM' },
    });
    expect(o.status).toBe(201);
    expect(o.body).toMatchObject({ paymentPlatform: 'erc20-polygon-glm', totalAmount: '2.5' });
    const partial = await h.call('POST', `${P}/allocations`, {
      totalAmount: '1',
      paymentPlatform: { network: 'hoodi' },
    });
    expect(partial.body).toMatchObject({ paymentPlatform: 'erc20-hoodi-tglm' });
  });

  it.each([
    [{}, 'totalAmount'],
    [{ totalAmount: 'abc' }, 'totalAmount'],
    [{ totalAmount: '0' }, 'totalAmount'],
    [{ totalAmount: '-1' }, 'totalAmount'],
    [{ totalAmount: 'NaN' }, 'totalAmount'],
    [{ totalAmount: '1', paymentPlatform: 'erc20-mainnet-xyz' }, 'platform'],
    [{ totalAmount: '1', paymentPlatform: { network: 'polygon', token: 'tGLM' } }, 'Token'],
    [{ totalAmount: '1', address: '0x0000000000000000000000000000000000000001' }, 'not registered'],
    [{ totalAmount: '1', timeout: 'tomorrow' }, 'timeout'],
    [{ totalAmount: '1', timeout: '2001-01-01T00:00:00Z' }, 'past'],
    ['5', 'object'],
  ])('refuses an invalid allocation %j with 400', async (body, fragment) => {
    const res = await h.call('POST', `${P}/allocations`, body);
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(fragment);
  });

  it('refuses an allocation over the funded balance of its platform, counting other allocations', async () => {
    const polygon = { driver: 'erc20', network: 'polygon' };
    const over = await h.call('POST', `${P}/allocations`, { totalAmount: '100.5', paymentPlatform: polygon });
    expect(over.status).toBe(400);
    expect((over.body as { message: string }).message).toMatch(/Insufficient funds/);
    const first = await h.call('POST', `${P}/allocations`, { totalAmount: '60', paymentPlatform: polygon });
    expect(first.status).toBe(201);
    const second = await h.call('POST', `${P}/allocations`, { totalAmount: '60', paymentPlatform: polygon });
    expect(second.status).toBe(400);
    const id = (first.body as { allocationId: string }).allocationId;
    expect((await h.call('DELETE', `${P}/allocations/${id}`)).status).toBe(200);
    const third = await h.call('POST', `${P}/allocations`, { totalAmount: '60', paymentPlatform: polygon });
    expect(third.status).toBe(201);
  });

  it('lists active allocations only, gets, releases with 200 null, then 410; unknown is 404', async () => {
    const a = (await h.call('POST', `${P}/allocations`, { totalAmount: '1' })).body as {
      allocationId: string;
    };
    const b = (await h.call('POST', `${P}/allocations`, { totalAmount: '2' })).body as {
      allocationId: string;
    };
    const list = await h.call('GET', `${P}/allocations`);
    expect((list.body as { allocationId: string }[]).map((x) => x.allocationId)).toEqual([
      a.allocationId,
      b.allocationId,
    ]);
    expect((await h.call('GET', `${P}/allocations/${a.allocationId}`)).body).toMatchObject({
      totalAmount: '1',
    });

    const released = await h.call('DELETE', `${P}/allocations/${a.allocationId}`);
    expect(released.status).toBe(200);
    expect(released.text).toBe('null');
    const again = await h.call('DELETE', `${P}/allocations/${a.allocationId}`);
    expect(again.status).toBe(410);
    expect(again.body).toEqual({ message: `Allocation ${a.allocationId} has been already released` });
    expect((await h.call('GET', `${P}/allocations/${a.allocationId}`)).status).toBe(410);
    const after = await h.call('GET', `${P}/allocations`);
    expect((after.body as { allocationId: string }[]).map((x) => x.allocationId)).toEqual([b.allocationId]);

    const unknown = await h.call('GET', `${P}/allocations/5b4b2d5e-7a42-4f7e-9f0a-3b0c1d2e3f40`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: null });
    expect((await h.call('DELETE', `${P}/allocations/5b4b2d5e-7a42-4f7e-9f0a-3b0c1d2e3f40`)).status).toBe(
      404,
    );
  });

  it('pages the list with afterTimestamp (strictly after) and maxItems', async () => {
    const a = (await h.call('POST', `${P}/allocations`, { totalAmount: '1' })).body as { timestamp: string };
    await h.call('POST', `${P}/allocations`, { totalAmount: '2' });
    await h.call('POST', `${P}/allocations`, { totalAmount: '3' });
    const after = await h.call('GET', `${P}/allocations?afterTimestamp=${encodeURIComponent(a.timestamp)}`);
    expect((after.body as { totalAmount: string }[]).map((x) => x.totalAmount)).toEqual(['2', '3']);
    const capped = await h.call('GET', `${P}/allocations?maxItems=1`);
    expect((capped.body as unknown[]).length).toBe(1);
    expect((await h.call('GET', `${P}/allocations?afterTimestamp=yesterday`)).status).toBe(400);
  });

  it('amends the total and the timeout, refusing a past timeout and funds over the balance', async () => {
    const a = (await h.call('POST', `${P}/allocations`, { totalAmount: '1' })).body as {
      allocationId: string;
    };
    const timeout = new Date(Date.now() + 3_600_000).toISOString();
    const amended = await h.call('PUT', `${P}/allocations/${a.allocationId}`, {
      totalAmount: '7.25',
      timeout,
    });
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ totalAmount: '7.25', remainingAmount: '7.25' });
    expect(new Date((amended.body as { timeout: string }).timeout).getTime()).toBe(
      new Date(timeout).getTime(),
    );
    const past = await h.call('PUT', `${P}/allocations/${a.allocationId}`, {
      timeout: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    const huge = await h.call('PUT', `${P}/allocations/${a.allocationId}`, { totalAmount: '1e12' });
    expect(huge.status).toBe(400);
    expect((await h.call('PUT', `${P}/allocations/nope`, { totalAmount: '1' })).status).toBe(404);
    await h.call('DELETE', `${P}/allocations/${a.allocationId}`);
    expect((await h.call('PUT', `${P}/allocations/${a.allocationId}`, { totalAmount: '2' })).status).toBe(
      410,
    );
  });

  it('releases an allocation by itself when its timeout passes', async () => {
    const timeout = new Date(Date.now() + 300).toISOString();
    const a = (await h.call('POST', `${P}/allocations`, { totalAmount: '1', timeout })).body as {
      allocationId: string;
      timeout: string;
    };
    expect(new Date(a.timeout).getTime()).toBe(new Date(timeout).getTime());
    const status = await eventually(async () => {
      const res = await h.call('GET', `${P}/allocations/${a.allocationId}`);
      return res.status === 410 ? res.status : undefined;
    });
    expect(status).toBe(410);
    expect(h.modules.at(-1)?.stats()).toMatchObject({ allocations: { active: 0, released: 1 } });
  });

  it('reports active allocations with amounts in stats', async () => {
    await h.call('POST', `${P}/allocations`, { totalAmount: '1.5' });
    await h.call('POST', `${P}/allocations`, { totalAmount: '2.25' });
    const stats = h.modules.at(-1)?.stats() as {
      allocations: { active: number; total: string; remaining: string };
    };
    expect(stats.allocations.active).toBe(2);
    expect(new Decimal(stats.allocations.total).eq('3.75')).toBe(true);
    expect(new Decimal(stats.allocations.remaining).eq('3.75')).toBe(true);
  });
});

describe('devnet payment: demand decorations', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  const create = async (platform: string): Promise<string> =>
    (
      (await h.call('POST', `${P}/allocations`, { totalAmount: '1', paymentPlatform: platform })).body as {
        allocationId: string;
      }
    ).allocationId;

  it('decorates a demand with the allocation platform address and the protocol version', async () => {
    const id = await create('erc20-holesky-tglm');
    const res = await h.call('GET', `${P}/demandDecorations?allocationIds=${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      properties: [
        { key: 'golem.com.payment.platform.erc20-holesky-tglm.address', value: REQUESTOR_ID },
        { key: 'golem.com.payment.protocol.version', value: '3' },
      ],
      constraints: [
        '(golem.com.payment.platform.erc20-holesky-tglm.address=*)',
        '(golem.com.payment.protocol.version>1)',
      ],
    });
  });

  it('accepts a comma list and repeated parameters alike, with an OR clause over platforms', async () => {
    const a = await create('erc20-holesky-tglm');
    const b = await create('erc20-polygon-glm');
    const comma = await h.call('GET', `${P}/demandDecorations?allocationIds=${a},${b}`);
    const repeated = await h.call('GET', `${P}/demandDecorations?allocationIds=${a}&allocationIds=${b}`);
    expect(comma.status).toBe(200);
    expect(repeated.body).toEqual(comma.body);
    const body = comma.body as { properties: { key: string }[]; constraints: string[] };
    expect(body.properties.map((p) => p.key)).toEqual([
      'golem.com.payment.platform.erc20-holesky-tglm.address',
      'golem.com.payment.platform.erc20-polygon-glm.address',
      'golem.com.payment.protocol.version',
    ]);
    expect(body.constraints[0]).toBe(
      '(|\n  (golem.com.payment.platform.erc20-holesky-tglm.address=*)\n  (golem.com.payment.platform.erc20-polygon-glm.address=*)\n)',
    );
  });

  it('answers 404 when any allocation is unknown and 400 without allocationIds', async () => {
    const a = await create('erc20-holesky-tglm');
    expect((await h.call('GET', `${P}/demandDecorations?allocationIds=${a},nope`)).status).toBe(404);
    expect((await h.call('GET', `${P}/demandDecorations`)).status).toBe(400);
  });
});
