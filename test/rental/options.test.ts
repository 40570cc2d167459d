/**
 * The budget estimate (golem-js's `estimateBudget`, over the offers' linear pricing) and what
 * `node.rent()` / `node.rentalPool()` refuse synchronously.
 */
import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GolemNode, NodeClosedError, estimateBudget } from 'golem-rx';
import { nodeOn } from './support.js';

describe('estimateBudget', () => {
  const maxPrice = { start: '0.01', perCpuSec: '0.0001', perDurationSec: '0.00002' };

  it('prices rentals × duration at the worst prices: start + duration + threads × CPU', () => {
    // 0.01 + 0.00002 × 3600 + 0.0001 × 1 × 3600 = 0.442 a rental
    expect(estimateBudget({ rentals: 3, duration: 3_600_000, maxPrice })).toEqual(new Decimal('1.326'));
    // 4 threads: 0.01 + 0.072 + 0.0001 × 4 × 3600 = 1.522
    expect(estimateBudget({ duration: 3_600_000, maxPrice, threads: 4 })).toEqual(new Decimal('1.522'));
  });

  it('takes the cost cap when it is lower, or alone', () => {
    expect(estimateBudget({ rentals: 2, duration: 3_600_000, maxPrice, costCap: '0.1' })).toEqual(
      new Decimal('0.2'),
    );
    // 60 s: 0.01 + 0.00002 × 60 + 0.0001 × 60 = 0.0172 a rental, below the cap
    expect(estimateBudget({ rentals: 2, duration: 60_000, maxPrice, costCap: '5' })).toEqual(
      new Decimal('0.0344'),
    );
    expect(estimateBudget({ duration: 60_000, costCap: '0.3' })).toEqual(new Decimal('0.3'));
  });

  it('refuses what cannot be bounded, and bad numbers', () => {
    expect(() => estimateBudget({ duration: 60_000 })).toThrow(RangeError);
    expect(() => estimateBudget({ duration: 60_000, maxPrice: { start: 0, perCpuSec: '0.1' } })).toThrow(
      RangeError,
    );
    expect(() => estimateBudget({ duration: 0, costCap: 1 })).toThrow(RangeError);
    expect(() => estimateBudget({ duration: 1000, costCap: 1, rentals: 1.5 })).toThrow(RangeError);
  });
});

describe('renting: options refused before anything is sent', () => {
  let node: GolemNode;
  beforeEach(() => {
    // no yagna behind it: nothing must be called
    node = nodeOn({ url: 'http://127.0.0.1:9', appKey: 'x' } as Parameters<typeof nodeOn>[0]);
  });
  afterEach(async () => {
    await node.close();
  });

  it('throws RangeError when nothing says how much to reserve, or on a bad term', () => {
    expect(() => node.rent({ payload: {} })).toThrow(RangeError);
    expect(() => node.rent({ payload: {}, budget: 1, timeout: -1 })).toThrow(RangeError);
    expect(() => node.rent({ payload: {}, budget: 1, costCap: 'abc' })).toThrow();
    expect(() => node.rent({ payload: {}, budget: 1, vmPackage: { imageTag: 'x' } })).toThrow(RangeError);
    expect(() => node.rentalPool({ payload: {}, budget: 1, min: 2, max: 1 })).toThrow(RangeError);
  });

  it('refuses a pool after close()', async () => {
    await node.close();
    expect(() => node.rentalPool({ payload: {}, budget: 1, max: 1 })).toThrow(NodeClosedError);
  });
});
