/** The key that, inside a nested property object, assigns its value to the parent key itself. */
const PROPERTY_TAG = '@tag';

/**
 * Flattens demand/offer properties into yagna's flat convention, as yagna does on input:
 * nested plain objects become dotted keys (`{"golem":{"inf":{"mem.gib":1}}}` →
 * `{"golem.inf.mem.gib": 1}`), a key `"@tag"` inside an object assigns its value to the parent
 * key (`{"a":{"@tag":2,"b":3}}` → `{"a":2,"a.b":3}`), arrays and other values are kept as they
 * are. Flat input comes back with the same keys and values (a new object; the input is never
 * mutated). Later keys win when two paths flatten to the same name.
 *
 * @example
 * flattenProperties({ golem: { runtime: { name: 'vm' } }, 'golem.inf.mem.gib': 2 });
 * // { 'golem.runtime.name': 'vm', 'golem.inf.mem.gib': 2 }
 */
export function flattenProperties(obj: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  flattenInto('', obj, out);
  return out;
}

function flattenInto(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (!isPlainObject(value)) {
    defineKey(out, prefix, value);
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key === PROPERTY_TAG) {
      defineKey(out, prefix, inner);
      continue;
    }
    flattenInto(prefix === '' ? key : `${prefix}.${key}`, inner, out);
  }
}

function defineKey(out: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so that a key named "__proto__" stays an ordinary own property
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
