/**
 * golem-rx/testing's own deep equality and value format (it runs in a browser, so it cannot use
 * node:util): `deepEqual` agrees with Node's `isDeepStrictEqual` on every pair of the table, and
 * `formatValue` renders frames readably.
 */
import { isDeepStrictEqual } from 'node:util';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { deepEqual } from '../../src/testing/deepEqual.js';
import { formatValue } from '../../src/testing/formatValue.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const cyclic = (): Record<string, unknown> => {
  const value: Record<string, unknown> = { a: 1 };
  value['self'] = value;
  return value;
};
const sym = Symbol('s');
const fn = () => 1;
const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
const withExtra = Object.assign([1, 2], { extra: true });
const hidden = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });
const nullProto = Object.assign(Object.create(null) as object, { a: 1 });

/** Pairs of values; each is compared both ways, and with itself. */
const PAIRS: readonly (readonly [string, unknown, unknown])[] = [
  ['equal numbers', 1, 1],
  ['different numbers', 1, 2],
  ['NaN', NaN, NaN],
  ['0 and -0', 0, -0],
  ['number and string', 1, '1'],
  ['null and undefined', null, undefined],
  ['bigints', 10n, 10n],
  ['symbols', sym, Symbol('s')],
  ['same function', fn, fn],
  ['different functions', fn, () => 1],
  ['plain objects', { a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }],
  ['a missing key', { a: 1 }, { a: 1, b: undefined }],
  ['a differing nested value', { a: { b: { c: 1 } } }, { a: { b: { c: 2 } } }],
  ['arrays', [1, [2, 3]], [1, [2, 3]]],
  ['arrays of another length', [1, 2], [1, 2, 3]],
  ['array and array-like object', [1], { 0: 1, length: 1 }],
  ['sparse and undefined', sparse, [1, undefined, 3]],
  ['extra array key', withExtra, [1, 2]],
  ['non-enumerable key', hidden, { a: 1 }],
  ['null prototype', nullProto, { a: 1 }],
  ['class and plain object', new Point(1, 2), { x: 1, y: 2 }],
  ['class instances', new Point(1, 2), new Point(1, 2)],
  ['class instances differing', new Point(1, 2), new Point(1, 3)],
  ['symbol keys', { [sym]: 1 }, { [sym]: 1 }],
  ['symbol keys differing', { [sym]: 1 }, { [sym]: 2 }],
  ['dates', new Date(5), new Date(5)],
  ['dates differing', new Date(5), new Date(6)],
  ['regexps', /a/g, /a/g],
  ['regexps with other flags', /a/g, /a/i],
  ['errors', new Error('x'), new Error('x')],
  ['errors with other messages', new Error('x'), new Error('y')],
  ['errors of other classes', new Error('x'), new TypeError('x')],
  ['boxed numbers', Object(1) as unknown, Object(1) as unknown],
  ['boxed number and number', Object(1) as unknown, 1],
  ['boxed strings differing', Object('a') as unknown, Object('b') as unknown],
  ['maps', new Map([['a', { x: 1 }]]), new Map([['a', { x: 1 }]])],
  ['maps differing', new Map([['a', 1]]), new Map([['a', 2]])],
  ['maps with object keys', new Map([[{ k: 1 }, 'v']]), new Map([[{ k: 1 }, 'v']])],
  ['maps with other object keys', new Map([[{ k: 1 }, 'v']]), new Map([[{ k: 2 }, 'v']])],
  ['sets in another order', new Set([1, 2, 3]), new Set([3, 2, 1])],
  ['sets of objects', new Set([{ a: 1 }, { a: 2 }]), new Set([{ a: 2 }, { a: 1 }])],
  ['sets differing', new Set([{ a: 1 }]), new Set([{ a: 2 }])],
  ['sets with duplicate-looking objects', new Set([{ a: 1 }, { a: 1 }]), new Set([{ a: 1 }, { a: 2 }])],
  ['typed arrays', new Uint8Array([1, 2]), new Uint8Array([1, 2])],
  ['typed arrays differing', new Uint8Array([1, 2]), new Uint8Array([1, 3])],
  ['typed arrays of other kinds', new Uint8Array([1]), new Int8Array([1])],
  ['decimals', new Decimal('1.50'), new Decimal('1.5')],
  ['decimals differing', new Decimal('1.5'), new Decimal('1.6')],
  ['cycles', cyclic(), cyclic()],
  ['cycle and no cycle', cyclic(), { a: 1, self: { a: 1 } }],
  [
    'marble frames',
    [{ frame: 4, notification: { kind: 'N', value: 'a', error: undefined } }],
    [{ frame: 4, notification: { kind: 'N', value: 'a', error: undefined } }],
  ],
  [
    'marble frames differing',
    [{ frame: 4, notification: { kind: 'N', value: 'a', error: undefined } }],
    [{ frame: 6, notification: { kind: 'N', value: 'a', error: undefined } }],
  ],
];

describe('deepEqual', () => {
  it.each(PAIRS)('%s: agrees with util.isDeepStrictEqual', (_, a, b) => {
    expect(deepEqual(a, b)).toBe(isDeepStrictEqual(a, b));
    expect(deepEqual(b, a)).toBe(isDeepStrictEqual(b, a));
    expect(deepEqual(a, a)).toBe(true);
  });

  it('the table has both outcomes (so agreeing is not trivial)', () => {
    const outcomes = PAIRS.map(([, a, b]) => isDeepStrictEqual(a, b));
    expect(outcomes.filter(Boolean).length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => !o).length).toBeGreaterThan(10);
  });
});

describe('formatValue', () => {
  it('renders values in the style of util.inspect', () => {
    expect(formatValue({ frame: 4, notification: { kind: 'N', value: 'a', error: undefined } })).toBe(
      "{ frame: 4, notification: { kind: 'N', value: 'a', error: undefined } }",
    );
    expect(formatValue([1, "it's", -0, 2n, null, sparse])).toBe(
      "[ 1, 'it\\'s', -0, 2n, null, [ 1, <empty item>, 3 ] ]",
    );
    expect(formatValue(new Map([['k', new Set([1])]]))).toBe("Map(1) { 'k' => Set(1) { 1 } }");
    expect(formatValue(new Point(1, 2))).toBe('Point { x: 1, y: 2 }');
    expect(formatValue(new TypeError('bad'))).toBe('[TypeError: bad]');
    expect(formatValue(new Decimal('1.50'))).toBe('1.5');
    expect(formatValue(cyclic())).toBe('{ a: 1, self: [Circular] }');
    expect(formatValue({ 'a-b': fn, [sym]: new Date(0) })).toBe(
      "{ 'a-b': [Function: fn], [Symbol(s)]: 1970-01-01T00:00:00.000Z }",
    );
    expect(formatValue({}, {})).toBe('{}');
  });

  it('cuts deep nesting and breaks long lines', () => {
    expect(formatValue({ a: { b: { c: {} } } }, { depth: 1 })).toBe('{ a: { b: [Object] } }');
    const long = { first: 'x'.repeat(20), second: 'y'.repeat(20) };
    expect(formatValue(long, { breakLength: 40 })).toBe(
      `{\n  first: '${'x'.repeat(20)}',\n  second: '${'y'.repeat(20)}'\n}`,
    );
    expect(formatValue(long, { breakLength: Infinity })).not.toContain('\n');
  });
});
