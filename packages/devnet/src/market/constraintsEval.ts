import { Decimal } from 'decimal.js';
import {
  parseConstraints,
  type Constraint,
  type ParsedValue,
  type PropertyRef,
} from './constraintsParser.js';
import {
  compareInstants,
  compareSemVer,
  compareStrings,
  instantOfDate,
  matchWildcard,
  parseDecimalLiteral,
  parseRfc3339,
  parseSemVer,
} from './constraintsValues.js';

/** Three-valued logic, as yagna's resolver: true, false, or undefined (a property was missing). */
const F = 0;
const T = 1;
const U = 2;
type Tri = typeof F | typeof T | typeof U;

/** Either side of a match: flat properties and a constraint string (or an already parsed one). */
export interface DemandOfferLike {
  readonly properties: Readonly<Record<string, unknown>>;
  readonly constraints: string | Constraint;
}

/**
 * Evaluates a constraint against a set of **flat** properties (dotted keys; see
 * `flattenProperties`). `true` only when the expression is definitely true.
 *
 * Typing follows the JSON type of the property, as yagna's resolver does:
 * - number: the value is parsed as a float (`inf`, `1e3` allowed); unparseable → false.
 * - string: `=` with `*` wildcards (anchored; only `*` is special); `< <= > >=` lexicographic.
 *   Extension: when both sides parse as SemVer 2.0 versions they are compared by SemVer
 *   precedence (build metadata ignored), else when both parse as RFC 3339 date-times they are
 *   compared as instants. A `$v` / `$t` / `$d` key suffix forces version / datetime / decimal.
 * - boolean: `=` with `true`/`false` (any case); ordering → false.
 * - array: `=` is true if any element equals the value (each by its own type), or, for a list
 *   literal `[a,b]`, if both hold the same items; ordering → false.
 * - `Date` objects compare as instants; any other value (nested object) → false.
 *
 * Three-valued logic (Kleene, exactly as yagna): a comparison against a missing (or `null`)
 * property, an aspect reference (`name[aspect]`), or a string that cannot take the implied type
 * is *undefined*. `&` is false if any child is false, else undefined if any is, else true; `|`
 * is true if any child is true, else undefined if any is, else false; `!` swaps true and false
 * and keeps undefined. At the top level undefined is no match. So `(!(missing=x))` does **not**
 * match. Presence `(key=*)` is never undefined. `()` and `(&)` are true, `(|)` is false.
 *
 * @param constraint a parsed constraint, or a string (parsed through the cache)
 * @throws {ConstraintSyntaxError} only when given a string that does not parse
 */
export function evaluate(
  constraint: Constraint | string,
  properties: Readonly<Record<string, unknown>>,
): boolean {
  return (
    resolve(typeof constraint === 'string' ? parseConstraints(constraint) : constraint, properties) === T
  );
}

/** Like {@link evaluate}, but tells an undefined result (`undefined`) from a false one. */
export function evaluateTernary(
  constraint: Constraint | string,
  properties: Readonly<Record<string, unknown>>,
): boolean | undefined {
  const r = resolve(typeof constraint === 'string' ? parseConstraints(constraint) : constraint, properties);
  return r === U ? undefined : r === T;
}

/**
 * Do a demand and an offer match? Both ways: the demand's constraints hold on the offer's
 * properties **and** the offer's constraints hold on the demand's properties (undefined = no).
 *
 * @throws {ConstraintSyntaxError} when a constraint string does not parse
 */
export function matchDemandOffer(demand: DemandOfferLike, offer: DemandOfferLike): boolean {
  return evaluate(demand.constraints, offer.properties) && evaluate(offer.constraints, demand.properties);
}

function resolve(c: Constraint, props: Readonly<Record<string, unknown>>): Tri {
  switch (c.kind) {
    case 'empty':
      return T;
    case 'and': {
      let result: Tri = T;
      for (const child of c.children) {
        const r = resolve(child, props);
        if (r === F) return F;
        if (r === U) result = U;
      }
      return result;
    }
    case 'or': {
      let result: Tri = F;
      for (const child of c.children) {
        const r = resolve(child, props);
        if (r === T) return T;
        if (r === U) result = U;
      }
      return result;
    }
    case 'not': {
      const r = resolve(c.child, props);
      return r === U ? U : r === T ? F : T;
    }
    case 'present': {
      if (c.property.aspect !== undefined) return F;
      const v = lookup(props, c.property.name);
      return v === undefined || v === null ? F : T;
    }
    case 'compare':
      return compare(c.property, c.op, c.value, props);
  }
}

function lookup(props: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(props, name) ? props[name] : undefined;
}

function compare(
  ref: PropertyRef,
  op: '=' | '<' | '<=' | '>' | '>=',
  value: ParsedValue,
  props: Readonly<Record<string, unknown>>,
): Tri {
  if (ref.aspect !== undefined) return U;
  const prop = lookup(props, ref.name);
  if (prop === undefined || prop === null) return U;
  if (ref.impliedType !== undefined) return compareImplied(ref.impliedType, op, value, prop);
  return compareTyped(prop, op, value) ? T : F;
}

function compareImplied(
  type: 'decimal' | 'version' | 'datetime',
  op: Op,
  value: ParsedValue,
  prop: unknown,
): Tri {
  switch (type) {
    case 'version': {
      const v = typeof prop === 'string' ? parseSemVer(prop) : undefined;
      if (v === undefined) return U;
      return value.version !== undefined && ordered(op, compareSemVer(v, value.version)) ? T : F;
    }
    case 'datetime': {
      const v =
        typeof prop === 'string'
          ? parseRfc3339(prop)
          : prop instanceof Date
            ? instantOfDate(prop)
            : undefined;
      if (v === undefined) return U;
      return value.instant !== undefined && ordered(op, compareInstants(v, value.instant)) ? T : F;
    }
    case 'decimal': {
      const v =
        typeof prop === 'string'
          ? parseDecimalLiteral(prop)
          : typeof prop === 'number' && Number.isFinite(prop)
            ? new Decimal(prop)
            : undefined;
      if (v === undefined) return U;
      return value.decimal !== undefined && ordered(op, v.comparedTo(value.decimal)) ? T : F;
    }
  }
}

type Op = '=' | '<' | '<=' | '>' | '>=';

function ordered(op: Op, cmp: number): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
  }
}

function compareTyped(prop: unknown, op: Op, value: ParsedValue): boolean {
  switch (typeof prop) {
    case 'number': {
      const n = value.number;
      if (n === undefined) return false;
      switch (op) {
        case '=':
          return prop === n;
        case '<':
          return prop < n;
        case '<=':
          return prop <= n;
        case '>':
          return prop > n;
        case '>=':
          return prop >= n;
      }
      return false;
    }
    case 'string':
      return compareString(prop, op, value);
    case 'boolean':
      return op === '=' && value.boolean === prop;
    case 'object':
      if (Array.isArray(prop)) return op === '=' && listEquals(prop, value);
      if (prop instanceof Date) {
        const v = instantOfDate(prop);
        return (
          v !== undefined && value.instant !== undefined && ordered(op, compareInstants(v, value.instant))
        );
      }
      return false;
    default:
      return false;
  }
}

function compareString(prop: string, op: Op, value: ParsedValue): boolean {
  if (op === '=') {
    if (value.wildcard !== undefined) return matchWildcard(value.wildcard, prop);
    if (prop === value.text) return true;
  }
  if (value.version !== undefined) {
    const v = parseSemVer(prop);
    if (v !== undefined) return ordered(op, compareSemVer(v, value.version));
  }
  if (value.instant !== undefined) {
    const v = parseRfc3339(prop);
    if (v !== undefined) return ordered(op, compareInstants(v, value.instant));
  }
  return op === '=' ? false : ordered(op, compareStrings(prop, value.text));
}

function listEquals(items: readonly unknown[], value: ParsedValue): boolean {
  if (value.list !== undefined) {
    if (value.list.length !== items.length) return false;
    return value.list.every((wanted) => items.some((item) => itemEquals(item, wanted)));
  }
  return items.some((item) => itemEquals(item, value));
}

function itemEquals(item: unknown, value: ParsedValue): boolean {
  return item !== null && item !== undefined && !Array.isArray(item) && compareTyped(item, '=', value);
}
