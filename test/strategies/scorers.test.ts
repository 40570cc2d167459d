import { describe, expect, it } from 'vitest';
import {
  allowProviders,
  blockProviders,
  combineScorers,
  dummyStrategy,
  keepIf,
  leastExpensiveLinearPayu,
  maxPrice,
  pipeScorers,
} from '../../src/strategies/index.js';
import { fakeOffer } from '../../src/testing/offers.js';

const cheap = fakeOffer({
  id: 'cheap',
  providerId: '0xAAAA',
  name: 'alpha',
  price: { cpuSec: '0.0001', durationSec: '0.00001' },
});
const dear = fakeOffer({
  id: 'dear',
  providerId: '0xbbbb',
  name: 'beta',
  price: { start: '0.01', cpuSec: '0.0003' },
});
const newNames = fakeOffer({
  id: 'new',
  usageVector: 'new',
  price: { cpuSec: '0.0001', durationSec: '0.00001' },
});
const gib = fakeOffer({
  id: 'gib',
  usageVector: ['golem.usage.gib', 'golem.usage.cpu_sec'],
  coeffs: [0.5, 0.0001, 0],
});
const gibFree = fakeOffer({
  id: 'gib0',
  usageVector: ['golem.usage.gib', 'golem.usage.cpu_sec'],
  coeffs: [0, 0.0001, 0],
});
const negative = fakeOffer({ id: 'neg', price: { cpuSec: '-0.1' } });
const unpriced = fakeOffer({
  id: 'unpriced',
  properties: { 'golem.com.pricing.model.linear.coeffs': undefined },
});
const fixedScheme = fakeOffer({ id: 'scheme', properties: { 'golem.com.scheme': 'fixed' } });

describe('leastExpensiveLinearPayu', () => {
  const strategy = leastExpensiveLinearPayu({ expectedTimeSecs: 100 });

  it('scores 1 / (1 + expected cost), so cheaper is higher', () => {
    // cheap: 100 × (0.0001 + 0.00001) = 0.011
    expect(strategy(cheap)).toBeCloseTo(1 / 1.011, 12);
    // dear: 0.01 + 100 × 0.0003 = 0.04
    expect(strategy(dear)).toBeCloseTo(1 / 1.04, 12);
    expect(strategy(cheap)!).toBeGreaterThan(strategy(dear)!);
  });

  it('understands the new counter names', () => {
    expect(strategy(newNames)).toBe(strategy(cheap));
  });

  it('drops unknown counters with a price, keeps them when free', () => {
    expect(strategy(gib)).toBeNull();
    expect(strategy(gibFree)).toBeCloseTo(1 / 1.01, 12);
  });

  it('drops negative prices, malformed pricing and other schemes', () => {
    expect(strategy(negative)).toBeNull();
    expect(strategy(unpriced)).toBeNull();
    expect(strategy(fixedScheme)).toBeNull();
  });

  it('drops a start price above maxFixedPrice and a coefficient above its cap (either spelling)', () => {
    expect(leastExpensiveLinearPayu({ maxFixedPrice: '0.005' })(dear)).toBeNull();
    expect(leastExpensiveLinearPayu({ maxFixedPrice: '0.01' })(dear)).not.toBeNull();
    const capped = leastExpensiveLinearPayu({ maxPriceFor: { 'golem.usage.cpu-sec': '0.0002' } });
    expect(capped(dear)).toBeNull();
    expect(capped(cheap)).not.toBeNull();
  });

  it('refuses a negative expected time', () => {
    expect(() => leastExpensiveLinearPayu({ expectedTimeSecs: -1 })).toThrow(RangeError);
  });
});

describe('dummyStrategy', () => {
  it("scores 1 within yapapi's caps and drops the rest", () => {
    const strategy = dummyStrategy();
    expect(strategy(cheap)).toBe(1);
    expect(strategy(newNames)).toBe(1);
    expect(strategy(gibFree)).toBeNull(); // golem.usage.gib has no cap
    expect(strategy(negative)).toBeNull();
    expect(dummyStrategy({ maxFixed: 0 })(dear)).toBeNull();
    expect(
      dummyStrategy({ maxForCounter: { 'golem.usage.cpu_sec': '0.00005', 'golem.usage.duration_sec': 1 } })(
        cheap,
      ),
    ).toBeNull();
  });
});

describe('filters', () => {
  it('allows and blocks by id (case-insensitive) or by name', () => {
    expect(allowProviders(['0xaaaa'])(cheap)).toBe(true);
    expect(allowProviders(['beta'])(dear)).toBe(true);
    expect(allowProviders(['beta'])(cheap)).toBe(false);
    expect(blockProviders(['0XBBBB'])(dear)).toBe(false);
    expect(blockProviders(['alpha'])(cheap)).toBe(false);
    expect(blockProviders(['alpha'])(dear)).toBe(true);
  });

  it('maxPrice caps start and per-counter prices, and drops what has no linear pricing', () => {
    expect(maxPrice({ start: 0 })(cheap)).toBe(true);
    expect(maxPrice({ start: 0 })(dear)).toBe(false);
    expect(maxPrice({ perCpuSec: '0.0001' })(newNames)).toBe(true);
    expect(maxPrice({ perDurationSec: '0.000001' })(newNames)).toBe(false);
    expect(maxPrice({ perUsage: { 'golem.usage.gib': 0.1 } })(gib)).toBe(false);
    expect(maxPrice({})(unpriced)).toBe(false);
  });
});

describe('composition', () => {
  it('pipeScorers applies wrappers left to right; keepIf drops before the base is asked', () => {
    const asked: string[] = [];
    const base = (p: { id: string }) => (asked.push(p.id), 1);
    const strategy = pipeScorers(base, keepIf(blockProviders(['beta'])), keepIf(maxPrice({ start: 0 })));
    expect([cheap, dear].map(strategy)).toEqual([1, null]);
    expect(asked).toEqual(['cheap']);
    const double = pipeScorers(leastExpensiveLinearPayu(), (s) => (p) => 2 * (s(p) ?? NaN));
    expect(double(cheap)).toBeCloseTo(2 * leastExpensiveLinearPayu()(cheap)!, 12);
  });

  it('combineScorers sums weighted scores and drops what any part drops', () => {
    const threads = (p: { properties: Readonly<Record<string, unknown>> }) =>
      Number(p.properties['golem.inf.cpu.threads']);
    const strategy = combineScorers([dummyStrategy(), 10], [threads, 0.5]);
    expect(strategy(cheap)).toBe(10 + 2);
    expect(strategy(gib)).toBeNull();
    expect(() => combineScorers([threads, -1])).toThrow(RangeError);
  });
});
