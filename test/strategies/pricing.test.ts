import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { InvalidPricingError, isInvalidPricingError } from '../../src/api/errors/InvalidPricingError.js';
import {
  canonicalUsageName,
  floatToDecimal,
  linearCost,
  linearPricing,
  priceFor,
  tryLinearPricing,
} from '../../src/api/pricing.js';

const props = (coeffs: unknown, vector: unknown = ['golem.usage.cpu_sec', 'golem.usage.duration_sec']) => ({
  'golem.com.pricing.model': 'linear',
  'golem.com.pricing.model.linear.coeffs': coeffs,
  'golem.com.usage.vector': vector,
});

describe('linearPricing', () => {
  it('reads the start price and one coefficient per counter as decimals', () => {
    const pricing = linearPricing(props([0.0001, 0.00005, 0.01]));
    expect(pricing.start.toString()).toBe('0.01');
    expect(pricing.coeffs.map(String)).toEqual(['0.0001', '0.00005']);
    expect(pricing.perUsage['golem.usage.cpu_sec']!.toString()).toBe('0.0001');
    expect(pricing.usageVector).toEqual(['golem.usage.cpu_sec', 'golem.usage.duration_sec']);
  });

  it('accepts decimal strings as coefficients', () => {
    expect(linearPricing(props(['0.1', '2e-3', '0'])).coeffs.map(String)).toEqual(['0.1', '0.002']);
  });

  it.each([
    ['missing coefficients', props(undefined), 'golem.com.pricing.model.linear.coeffs'],
    ['missing usage vector', { 'golem.com.pricing.model.linear.coeffs': [1] }, 'golem.com.usage.vector'],
    ['a usage vector of non-strings', props([1, 2], [1]), 'golem.com.usage.vector'],
    ['too few coefficients', props([1, 2]), 'golem.com.pricing.model.linear.coeffs'],
    ['a non-numeric coefficient', props([1, 'x', 3]), 'golem.com.pricing.model.linear.coeffs'],
    ['another model', { ...props([1, 2, 3]), 'golem.com.pricing.model': 'fixed' }, 'golem.com.pricing.model'],
  ])('throws InvalidPricingError on %s; tryLinearPricing gives undefined', (_, properties, property) => {
    let caught: unknown;
    try {
      linearPricing(properties);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPricingError);
    expect(isInvalidPricingError(caught)).toBe(true);
    expect((caught as InvalidPricingError).property).toBe(property);
    expect(tryLinearPricing(properties)).toBeUndefined();
  });
});

describe('linearCost', () => {
  it('computes the ya-provider reference: coeffs [0.0001, 0.00005, 0] × usage [44.017951, 103.002864998]', () => {
    const pricing = linearPricing(props([0.0001, 0.00005, 0.0]));
    expect(linearCost(pricing, [44.017951, 103.002864998]).toString()).toBe('0.0095519383499');
  });

  it('takes usage by name in either spelling, missing counters as 0', () => {
    const pricing = linearPricing(props([2, 3, 1]));
    expect(linearCost(pricing, { 'golem.usage.cpu-sec': 10 }).toString()).toBe('21');
    expect(linearCost(pricing, { 'golem.usage.duration_sec': new Decimal(2) }).toString()).toBe('7');
  });

  it('refuses a usage array of the wrong length', () => {
    expect(() => linearCost(linearPricing(props([1, 2, 3])), [1])).toThrow(RangeError);
  });
});

describe('usage names', () => {
  it('matches old and new spellings', () => {
    expect(canonicalUsageName('golem.usage.cpu_sec')).toBe(canonicalUsageName('golem.usage.cpu-sec'));
    expect(canonicalUsageName('golem.other_thing')).toBe('golem.other_thing');
    const pricing = linearPricing(props([1, 2, 0], ['golem.usage.cpu-sec', 'golem.usage.duration-sec']));
    expect(priceFor(pricing, 'golem.usage.cpu_sec')?.toString()).toBe('1');
    expect(priceFor(pricing, 'golem.usage.gib')).toBeUndefined();
  });

  it('converts floats with 15 significant digits', () => {
    expect(floatToDecimal(0.1 + 0.2).toString()).toBe('0.3');
  });
});
