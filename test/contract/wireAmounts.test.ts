/**
 * Amounts on the wire (REQUESTOR-GUIDE §2.3): plain decimal strings, never finer than the token's
 * 18 decimals (GLM is an ERC-20 token). A finer amount is refused with a typed error before any
 * request is made, by the client and by every resource call built on it.
 */
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMOUNT_DECIMALS, toWireAmount } from '../../src/api/amounts.js';
import { createYagnaApi, type YagnaExchange } from '../../src/api/index.js';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import { isYagnaArgumentError } from '../../src/api/errors/YagnaArgumentError.js';
import { GolemNode } from '../../src/node/GolemNode.js';

/** What `fn` threw (or rejected with). */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('amounts on the wire have at most 18 decimals', () => {
  it('writes 18 decimals, and ignores trailing zeros', () => {
    expect(AMOUNT_DECIMALS).toBe(18);
    expect(toWireAmount('0.000000000000000001', 'a')).toBe('0.000000000000000001');
    expect(toWireAmount(new Decimal('1e-18'), 'a')).toBe('0.000000000000000001');
    expect(toWireAmount('1.000000000000000000000000', 'a')).toBe('1');
    expect(toWireAmount(0.1 + 0.2, 'a')).toBe('0.30000000000000004');
  });

  it.each(['0.0000000000000000001', '1e-19', new Decimal('12.3456789012345678901'), 1e-20])(
    'refuses %s with a YagnaArgumentError naming the argument',
    async (value) => {
      const err = await failure(() => toWireAmount(value, 'totalAmount'));
      expect(isYagnaArgumentError(err)).toBe(true);
      expect(isYagnaArgumentError(err) && err.argument).toBe('totalAmount');
      expect((err as Error).message).toMatch(/^totalAmount has more than 18 decimals \(/);
    },
  );

  describe('against devnet', () => {
    let devnet: DevnetHandle;
    beforeAll(async () => {
      devnet = await startDevnet({ port: 0, providers: 0 });
    });
    afterAll(() => devnet.stop());

    it('the client and GolemNode refuse a finer allocation before sending anything', async () => {
      const exchanges: YagnaExchange[] = [];
      const api = createYagnaApi(
        { url: devnet.url, appKey: devnet.appKey, retry: false, onExchange: (e) => exchanges.push(e) },
        {},
      );
      const tooFine = new Decimal('1.0000000000000000001');
      const err = await failure(() => api.payment.createAllocation({ totalAmount: tooFine }));
      expect(isYagnaArgumentError(err)).toBe(true);
      expect(exchanges).toEqual([]);

      const node = new GolemNode({ apiUrl: devnet.url, appKey: devnet.appKey });
      await node.start();
      try {
        const nodeErr = await failure(() => node.createAllocation({ amount: tooFine }));
        expect(isYagnaArgumentError(nodeErr)).toBe(true);
        const ok = await node.createAllocation({ amount: new Decimal('1.000000000000000001') });
        expect(ok.data.totalAmount.toFixed()).toBe('1.000000000000000001');
      } finally {
        await node.close();
      }
      const allocations = devnet.stats() as unknown as { allocations: { active: number } };
      expect(allocations.allocations.active).toBe(0);
    });
  });
});
