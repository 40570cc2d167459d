import type { Decimal } from 'decimal.js';
import { ConstraintSyntaxError, type ConstraintSyntaxErrorKind } from './constraintsSyntaxError.js';
import {
  compileWildcard,
  parseBooleanLiteral,
  parseDecimalLiteral,
  parseListLiteral,
  parseNumberLiteral,
  parseRfc3339,
  parseSemVer,
  type Instant,
  type SemVer,
  type WildcardPattern,
} from './constraintsValues.js';

/** A comparison operator of the constraint language. (`<>` and `~=` are rejected, as yagna does.) */
export type ConstraintOperator = '=' | '<' | '<=' | '>' | '>=';

/**
 * The implied type of a property reference, written as a `$d` / `$v` / `$t` suffix on the key
 * (`(golem.runtime.version$v>=0.2.0)`): the string property is converted before comparing.
 */
export type ImpliedType = 'decimal' | 'version' | 'datetime';

/** A property reference: `name`, optionally `name[aspect]`, optionally with an implied type. */
export interface PropertyRef {
  readonly name: string;
  readonly aspect?: string;
  readonly impliedType?: ImpliedType;
}

/**
 * The comparison value of a filter, parsed once in every form it may be compared in, so that
 * evaluating against thousands of property sets parses nothing.
 */
export interface ParsedValue {
  readonly text: string;
  readonly number: number | undefined;
  readonly boolean: boolean | undefined;
  readonly version: SemVer | undefined;
  readonly instant: Instant | undefined;
  readonly decimal: Decimal | undefined;
  /** The value split at its `*` wildcards (matched anchored, in linear time), when it has any. */
  readonly wildcard: WildcardPattern | undefined;
  /** Items when the value is a list literal `[a,b]`. */
  readonly list: readonly ParsedValue[] | undefined;
}

/** A parsed constraint expression (immutable, shared through the parse cache). */
export type Constraint =
  | { readonly kind: 'empty' }
  | { readonly kind: 'and'; readonly children: readonly Constraint[] }
  | { readonly kind: 'or'; readonly children: readonly Constraint[] }
  | { readonly kind: 'not'; readonly child: Constraint }
  | { readonly kind: 'present'; readonly property: PropertyRef }
  | {
      readonly kind: 'compare';
      readonly property: PropertyRef;
      readonly op: ConstraintOperator;
      readonly value: ParsedValue;
    };

const MAX_INPUT = 64 * 1024;
const MAX_DEPTH = 128;
const MAX_NODES = 4096;
const CACHE_SIZE = 256;
const cache = new Map<string, Constraint>();

/**
 * Parses a constraint string of the Golem market's LDAP-like language (REQUESTOR-GUIDE §6.4):
 * `()` (true), `(&…)`, `(|…)`, `(!…)`, presence `(key=*)` and comparisons with `= < <= > >=`,
 * whitespace and newlines allowed between filters. Results are cached (LRU, 256 entries) and
 * frozen, since the same demand is matched against thousands of offers.
 *
 * @throws {ConstraintSyntaxError} with the position of the first offending character.
 * @example
 * const c = parseConstraints('(&(golem.runtime.name=vm)(golem.inf.mem.gib>=0.5))');
 * evaluate(c, { 'golem.runtime.name': 'vm', 'golem.inf.mem.gib': 1 }); // true
 */
export function parseConstraints(text: string): Constraint {
  const hit = cache.get(text);
  if (hit !== undefined) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const parsed = new Parser(text).parseRoot();
  cache.set(text, parsed);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return parsed;
}

/** Parses a comparison value into every typed form it may be compared in. */
export function parseValue(text: string): ParsedValue {
  const items = parseListLiteral(text);
  return Object.freeze({
    text,
    number: parseNumberLiteral(text),
    boolean: parseBooleanLiteral(text),
    version: parseSemVer(text),
    instant: parseRfc3339(text),
    decimal: parseDecimalLiteral(text),
    wildcard: compileWildcard(text),
    list: items === undefined ? undefined : Object.freeze(items.map(parseValue)),
  });
}

const KEY_RE = /^([^[\]$]+)(?:\[([^\]]*)\])?(?:\$([dvt]))?$/;
const IMPLIED: Record<string, ImpliedType> = { d: 'decimal', v: 'version', t: 'datetime' };

class Parser {
  private pos = 0;
  private nodes = 0;

  constructor(private readonly input: string) {}

  parseRoot(): Constraint {
    if (this.input.length > MAX_INPUT) this.fail('LimitExceeded', 'input longer than 64 KiB', MAX_INPUT);
    this.skipWs();
    if (this.pos >= this.input.length) this.fail('EmptyInput', 'empty input');
    const root = this.parseFilter(0);
    this.skipWs();
    if (this.pos !== this.input.length) this.fail('TrailingInput', 'unexpected trailing input');
    return root;
  }

  private parseFilter(depth: number): Constraint {
    if (depth >= MAX_DEPTH) this.fail('LimitExceeded', `nesting deeper than ${MAX_DEPTH}`);
    if (++this.nodes > MAX_NODES) this.fail('LimitExceeded', `more than ${MAX_NODES} filters`);
    if (this.peek() !== '(') this.expected("'('");
    this.pos++;
    this.skipWs();
    switch (this.peek()) {
      case undefined:
        return this.fail('UnexpectedEnd', 'unexpected end of input');
      case ')':
        this.pos++;
        return EMPTY;
      case '&':
      case '|': {
        const kind = this.peek() === '&' ? 'and' : 'or';
        this.pos++;
        const children: Constraint[] = [];
        for (;;) {
          this.skipWs();
          const c = this.peek();
          if (c === ')') break;
          if (c === undefined) this.fail('UnexpectedEnd', "unexpected end of input, expected ')'");
          children.push(this.parseFilter(depth + 1));
        }
        this.pos++;
        return Object.freeze({ kind, children: Object.freeze(children) });
      }
      case '!': {
        this.pos++;
        this.skipWs();
        if (this.peek() === undefined) this.fail('UnexpectedEnd', 'unexpected end of input');
        const child = this.parseFilter(depth + 1);
        this.skipWs();
        if (this.peek() === undefined) this.fail('UnexpectedEnd', "unexpected end of input, expected ')'");
        if (this.peek() !== ')') this.expected("')'");
        this.pos++;
        return Object.freeze({ kind: 'not', child });
      }
      default:
        return this.parsePredicate();
    }
  }

  private parsePredicate(): Constraint {
    const start = this.pos;
    while (this.pos < this.input.length && !'=<>~)'.includes(this.input[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail('EmptyProperty', 'empty property name');
    const property = this.parseKey(this.input.slice(start, this.pos), start);
    const op = this.parseOperator();
    const valueStart = this.pos;
    while (this.pos < this.input.length && this.input[this.pos] !== ')') this.pos++;
    if (this.pos >= this.input.length) this.fail('UnexpectedEnd', "unexpected end of input, expected ')'");
    const text = this.input.slice(valueStart, this.pos);
    this.pos++;
    if (op === '=' && /^\*\s*$/.test(text)) return Object.freeze({ kind: 'present', property });
    return Object.freeze({ kind: 'compare', property, op, value: parseValue(text) });
  }

  private parseKey(raw: string, at: number): PropertyRef {
    const m = KEY_RE.exec(raw);
    if (m === null) return this.fail('InvalidProperty', `invalid property reference '${raw}'`, at);
    const ref: { name: string; aspect?: string; impliedType?: ImpliedType } = { name: m[1]! };
    if (m[2] !== undefined) ref.aspect = m[2];
    if (m[3] !== undefined) ref.impliedType = IMPLIED[m[3]];
    return Object.freeze(ref);
  }

  private parseOperator(): ConstraintOperator {
    const two = this.input.slice(this.pos, this.pos + 2);
    if (two === '<=' || two === '>=') {
      this.pos += 2;
      return two;
    }
    if (two === '<>') this.fail('UnsupportedOperator', "unsupported operator '<>'");
    const one = this.peek();
    if (one === '=' || one === '<' || one === '>') {
      this.pos++;
      return one;
    }
    if (one === '~') this.fail('UnsupportedOperator', "unsupported operator '~='");
    return this.expected('a comparison operator');
  }

  private skipWs(): void {
    while (this.pos < this.input.length && /\s/.test(this.input[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    return this.input[this.pos];
  }

  private expected(what: string): never {
    const found = this.peek();
    return this.fail(
      'Expected',
      `expected ${what}, found ${found === undefined ? 'end of input' : `'${found}'`}`,
    );
  }

  private fail(kind: ConstraintSyntaxErrorKind, detail: string, position = this.pos): never {
    throw new ConstraintSyntaxError(detail, { kind, position, input: this.input.slice(0, 200) });
  }
}

const EMPTY: Constraint = Object.freeze({ kind: 'empty' });
