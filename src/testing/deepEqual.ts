/**
 * Structural deep equality with the semantics of Node's `util.isDeepStrictEqual`, without Node
 * (golem-rx/testing runs in a browser): primitives by `Object.is` (`NaN` equals `NaN`, `0` is not
 * `-0`), objects by prototype and own enumerable keys (symbols included), `Date` by time,
 * `RegExp` by source, flags and `lastIndex`, errors by `name` and `message` too, boxed primitives
 * by value, typed arrays by bytes, `Map` and `Set` in any order (object keys and members matched
 * deeply). Cycles compare equal when both sides cycle at the same place.
 *
 * @example
 * ```ts
 * deepEqual([{ frame: 1, v: new Set([1]) }], [{ frame: 1, v: new Set([1]) }]); // true
 * ```
 */
export function deepEqual(actual: unknown, expected: unknown): boolean {
  return equal(actual, expected, new Map());
}

/** Pairs being compared, from the root down: a pair met again is a cycle, equal so far. */
type InProgress = Map<object, Set<object>>;

function equal(a: unknown, b: unknown, seen: InProgress): boolean {
  if (Object.is(a, b)) return true;
  if (!isObject(a) || !isObject(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  const pairs = seen.get(a);
  if (pairs?.has(b) === true) return true;
  if (pairs === undefined) seen.set(a, new Set([b]));
  else pairs.add(b);
  try {
    return sameKind(a, b, seen) && sameKeys(a, b, seen);
  } finally {
    seen.get(a)?.delete(b);
  }
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** What objects of a built-in kind hold besides their own enumerable keys. */
function sameKind(a: object, b: object, seen: InProgress): boolean {
  if (typeof a === 'function') return false; // distinct functions are never equal
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp) {
    const r = b as RegExp;
    return a.source === r.source && a.flags === r.flags && a.lastIndex === r.lastIndex;
  }
  if (a instanceof Error) {
    const e = b as Error;
    return a.name === e.name && a.message === e.message;
  }
  if (isBoxed(a)) return Object.is(a.valueOf(), (b as typeof a).valueOf());
  if (ArrayBuffer.isView(a)) return sameBytes(a, b as ArrayBufferView);
  if (a instanceof ArrayBuffer) return sameBytes(new Uint8Array(a), new Uint8Array(b as ArrayBuffer));
  if (a instanceof Map) return sameMap(a, b as Map<unknown, unknown>, seen);
  if (a instanceof Set) return sameSet(a, b as Set<unknown>, seen);
  if (a instanceof WeakMap || a instanceof WeakSet || a instanceof Promise) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length;
  return true;
}

type Boxed = number | string | boolean | bigint | symbol;

function isBoxed(value: object): value is { valueOf(): Boxed } {
  return (
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean ||
    Object.prototype.toString.call(value) === '[object BigInt]' ||
    Object.prototype.toString.call(value) === '[object Symbol]'
  );
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((byte, i) => byte === y[i]);
}

/** Own enumerable keys, strings and symbols (what `isDeepStrictEqual` compares). */
export function ownEnumerableKeys(value: object): (string | symbol)[] {
  const symbols = Object.getOwnPropertySymbols(value).filter((s) =>
    Object.prototype.propertyIsEnumerable.call(value, s),
  );
  return [...Object.keys(value), ...symbols];
}

function sameKeys(a: object, b: object, seen: InProgress): boolean {
  const keys = ownEnumerableKeys(a);
  if (keys.length !== ownEnumerableKeys(b).length) return false;
  const x = a as Record<string | symbol, unknown>;
  const y = b as Record<string | symbol, unknown>;
  return keys.every(
    (key) => Object.prototype.propertyIsEnumerable.call(b, key) && equal(x[key], y[key], seen),
  );
}

/** Pairs each of `unmatched` with a distinct `same` one of `candidates` (the members of a Set or Map without an identical twin). */
function matchLoosely<T>(unmatched: T[], candidates: readonly T[], same: (x: T, y: T) => boolean): boolean {
  const pool = [...candidates];
  return unmatched.every((item) => {
    const at = pool.findIndex((candidate) => same(item, candidate));
    if (at < 0) return false;
    pool.splice(at, 1);
    return true;
  });
}

function sameSet(a: Set<unknown>, b: Set<unknown>, seen: InProgress): boolean {
  if (a.size !== b.size) return false;
  const missing = [...a].filter((item) => !b.has(item));
  if (missing.length === 0) return true;
  const spare = [...b].filter((item) => !a.has(item));
  return matchLoosely(missing, spare, (x, y) => equal(x, y, seen));
}

function sameMap(a: Map<unknown, unknown>, b: Map<unknown, unknown>, seen: InProgress): boolean {
  if (a.size !== b.size) return false;
  const missing: [unknown, unknown][] = [];
  for (const [key, value] of a) {
    if (!b.has(key)) missing.push([key, value]);
    else if (!equal(value, b.get(key), seen)) return false;
  }
  if (missing.length === 0) return true;
  const spare = [...b].filter(([key]) => !a.has(key));
  return matchLoosely(missing, spare, ([k1, v1], [k2, v2]) => equal(k1, k2, seen) && equal(v1, v2, seen));
}
