import { describe, expect, it } from 'vitest';
import {
  ConstraintSyntaxError,
  evaluate,
  evaluateTernary,
  flattenProperties,
  isConstraintSyntaxError,
  matchDemandOffer,
  parseConstraints,
} from '../../src/market/constraints.js';
import { compileWildcard, matchWildcard } from '../../src/market/constraintsValues.js';
import { jsonDepthExceededAt, MAX_JSON_DEPTH } from '../../src/jsonDepth.js';

function syntaxError(text: string): ConstraintSyntaxError {
  try {
    parseConstraints(text);
  } catch (err) {
    if (isConstraintSyntaxError(err)) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

describe('parseConstraints', () => {
  it('parses empty, and, or, not, presence and every comparison operator', () => {
    expect(parseConstraints('()')).toEqual({ kind: 'empty' });
    expect(parseConstraints('(&)')).toEqual({ kind: 'and', children: [] });
    const c = parseConstraints('(|(a=1)(!(b<2))(c<=3)(d>4)(e>=5)(f=*))');
    expect(c.kind).toBe('or');
    if (c.kind !== 'or') return;
    expect(c.children.map((x) => (x.kind === 'compare' ? x.op : x.kind))).toEqual([
      '=',
      'not',
      '<=',
      '>',
      '>=',
      'present',
    ]);
    const not = c.children[1];
    expect(not?.kind === 'not' && not.child.kind === 'compare' && not.child.op).toBe('<');
  });

  it('accepts whitespace and newlines between filters, as golem-js and yagna write them', () => {
    const text =
      '(&\n\t(golem.runtime.name=vm)\n\t(golem.inf.mem.gib>=0.5)\n  (| \n (x=1) (y=2) )\n  ( ! (z=3) )\n)\n';
    const c = parseConstraints(text);
    expect(c.kind === 'and' && c.children.length).toBe(4);
  });

  it('keeps keys with ? and - and values with spaces verbatim', () => {
    const c = parseConstraints('(golem.com.scheme.payu.debit-note.interval-sec?=120)');
    expect(c).toMatchObject({
      kind: 'compare',
      property: { name: 'golem.com.scheme.payu.debit-note.interval-sec?' },
    });
    expect(parseConstraints('(golem.node.id.name=my node)')).toMatchObject({ value: { text: 'my node' } });
  });

  it('parses $v / $t / $d implied types and [aspect] references', () => {
    expect(parseConstraints('(golem.runtime.version$v>=1.2.3)')).toMatchObject({
      property: { name: 'golem.runtime.version', impliedType: 'version' },
    });
    expect(parseConstraints('(a[x]$t=2020-01-01T00:00:00Z)')).toMatchObject({
      property: { name: 'a', aspect: 'x', impliedType: 'datetime' },
    });
    expect(parseConstraints('(a$d>1.5)')).toMatchObject({ property: { impliedType: 'decimal' } });
  });

  it('treats (key=*) with trailing blanks as presence, and other wildcards as comparisons', () => {
    expect(parseConstraints('(a=*  )').kind).toBe('present');
    expect(parseConstraints('(a=*x)').kind).toBe('compare');
  });

  it.each([
    ['', 'EmptyInput', 0],
    ['   ', 'EmptyInput', 3],
    ['a=b', 'Expected', 0],
    ['(a=b', 'UnexpectedEnd', 4],
    ['(a=b))', 'TrailingInput', 5],
    ['(a=b)(c=d)', 'TrailingInput', 5],
    ['(=b)', 'EmptyProperty', 1],
    ['(a<>b)', 'UnsupportedOperator', 2],
    ['(a~=b)', 'UnsupportedOperator', 2],
    ['(a)', 'Expected', 2],
    ['(&(a=1)', 'UnexpectedEnd', 7],
    ['(!(a=1)(b=2))', 'Expected', 7],
    ['(!)', 'Expected', 2],
    ['(a$q=1)', 'InvalidProperty', 1],
  ])('rejects %j with %s at %i', (text, kind, position) => {
    const err = syntaxError(text);
    expect(err).toBeInstanceOf(ConstraintSyntaxError);
    expect(err.name).toBe('ConstraintSyntaxError');
    expect(err.kind).toBe(kind);
    expect(err.position).toBe(position);
    expect(err.message).toContain(`position ${position}`);
  });

  it('enforces the depth limit instead of overflowing the stack', () => {
    const deep = `${'(!'.repeat(200)}(a=b)${')'.repeat(200)}`;
    expect(syntaxError(deep).kind).toBe('LimitExceeded');
    expect(parseConstraints(`${'(!'.repeat(100)}(a=b)${')'.repeat(100)}`).kind).toBe('not');
  });

  it('caches parses: the same text gives the same frozen object', () => {
    const text = '(&(golem.runtime.name=vm)(golem.inf.cpu.threads>=2))';
    const a = parseConstraints(text);
    expect(parseConstraints(text)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    for (let i = 0; i < 300; i++) parseConstraints(`(x=${i})`);
    const again = parseConstraints(text);
    expect(again).not.toBe(a); // evicted by 300 newer entries (LRU of 256)
    expect(again).toEqual(a);
  });
});

describe('evaluate', () => {
  const props = {
    'golem.inf.mem.gib': 8,
    'golem.inf.cpu.threads': 4,
    'golem.runtime.name': 'vm',
    'golem.node.id.name': 'provider-7',
    'golem.node.net.is-public': true,
    'golem.runtime.version': '0.10.2',
    'golem.runtime.capabilities': ['vpn', 'inet'],
    'golem.com.pricing.model.linear.coeffs': [0.001, 0.002, 0],
    'x.when': '2024-05-28T15:00:00.123456Z',
    'x.str': 'beta',
    'x.null': null,
  };
  const ev = (c: string): boolean => evaluate(c, props);

  it('compares numbers as floats', () => {
    expect(ev('(golem.inf.mem.gib>=0.5)')).toBe(true);
    expect(ev('(golem.inf.mem.gib>8)')).toBe(false);
    expect(ev('(golem.inf.mem.gib=8.0)')).toBe(true);
    expect(ev('(golem.inf.mem.gib<1e3)')).toBe(true);
    expect(ev('(golem.inf.cpu.threads<=4)')).toBe(true);
    expect(ev('(golem.inf.cpu.threads<inf)')).toBe(true);
    expect(ev('(golem.inf.mem.gib=lots)')).toBe(false);
    expect(ev('(golem.inf.mem.gib>lots)')).toBe(false);
  });

  it('compares strings exactly, with * wildcards, and lexicographically', () => {
    expect(ev('(golem.runtime.name=vm)')).toBe(true);
    expect(ev('(golem.runtime.name=VM)')).toBe(false);
    expect(ev('(golem.node.id.name=provider-*)')).toBe(true);
    expect(ev('(golem.node.id.name=*-7)')).toBe(true);
    expect(ev('(golem.node.id.name=p*r*7)')).toBe(true);
    expect(ev('(golem.node.id.name=provider.7)')).toBe(false); // only * is special
    expect(ev('(x.str>alpha)')).toBe(true);
    expect(ev('(x.str<gamma)')).toBe(true);
    expect(ev('(x.str>=beta)')).toBe(true);
    expect(ev('(x.str<beta)')).toBe(false);
  });

  it('compares booleans with = only', () => {
    expect(ev('(golem.node.net.is-public=true)')).toBe(true);
    expect(ev('(golem.node.net.is-public=TRUE)')).toBe(true);
    expect(ev('(golem.node.net.is-public=false)')).toBe(false);
    expect(ev('(golem.node.net.is-public>false)')).toBe(false);
  });

  it('compares semver strings by precedence (not lexicographically) and with $v', () => {
    expect(ev('(golem.runtime.version>0.9.0)')).toBe(true);
    expect(ev('(golem.runtime.version$v>=0.10.2)')).toBe(true);
    expect(ev('(golem.runtime.version<0.10.2-rc.1)')).toBe(false);
    expect(ev('(golem.runtime.version=0.10.2+build.7)')).toBe(true);
    expect(evaluate('(v>1.0.0-rc.1)', { v: '1.0.0' })).toBe(true);
    expect(evaluate('(v<1.0.0-rc.10)', { v: '1.0.0-rc.2' })).toBe(true);
    expect(evaluate('(v<1.0.0-beta)', { v: '1.0.0-alpha.1' })).toBe(true);
  });

  it('compares RFC 3339 date-times as instants, across offsets and precisions', () => {
    expect(ev('(x.when>2024-05-28T15:00:00Z)')).toBe(true);
    expect(ev('(x.when<2024-05-28T17:00:00.2+02:00)')).toBe(true);
    expect(ev('(x.when=2024-05-28T17:00:00.123456000+02:00)')).toBe(true);
    expect(ev('(x.when$t<2024-05-28T15:00:00.123457Z)')).toBe(true);
    expect(evaluate('(d>2020-01-01T00:00:00Z)', { d: new Date('2021-01-01T00:00:00Z') })).toBe(true);
  });

  it('compares decimals exactly with $d', () => {
    expect(evaluate('(p$d=0.3)', { p: '0.30000' })).toBe(true);
    expect(evaluate('(p$d>0.1)', { p: 0.2 })).toBe(true);
    expect(evaluateTernary('(p$d>0.1)', { p: 'abc' })).toBeUndefined();
  });

  it('matches lists when any element equals, or as a set with a list literal; ordering is false', () => {
    expect(ev('(golem.runtime.capabilities=vpn)')).toBe(true);
    expect(ev('(golem.runtime.capabilities=gpu)')).toBe(false);
    expect(ev('(golem.runtime.capabilities=v*)')).toBe(true);
    expect(ev('(golem.runtime.capabilities=[inet, vpn])')).toBe(true);
    expect(ev('(golem.runtime.capabilities=[vpn])')).toBe(false);
    expect(ev('(golem.com.pricing.model.linear.coeffs=0.002)')).toBe(true);
    expect(ev('(golem.runtime.capabilities>a)')).toBe(false);
  });

  it('tests presence; null counts as missing', () => {
    expect(ev('(golem.runtime.name=*)')).toBe(true);
    expect(ev('(golem.nope=*)')).toBe(false);
    expect(ev('(x.null=*)')).toBe(false);
    expect(ev('(!(golem.nope=*))')).toBe(true);
  });

  it('uses three-valued logic: a missing property is undefined, which never matches', () => {
    expect(evaluateTernary('(missing=1)', props)).toBeUndefined();
    expect(ev('(missing=1)')).toBe(false);
    expect(ev('(!(missing=1))')).toBe(false);
    expect(evaluateTernary('(!(missing=1))', props)).toBeUndefined();
    expect(ev('(|(missing=1)(golem.runtime.name=vm))')).toBe(true);
    expect(evaluateTernary('(|(missing=1)(golem.runtime.name=docker))', props)).toBeUndefined();
    expect(evaluateTernary('(&(missing=1)(golem.runtime.name=docker))', props)).toBe(false);
    expect(evaluateTernary('(&(missing=1)(golem.runtime.name=vm))', props)).toBeUndefined();
    expect(evaluateTernary('(a[aspect]=1)', { a: 1 })).toBeUndefined();
  });

  it('treats () and (&) as true and (|) as false', () => {
    expect(ev('()')).toBe(true);
    expect(ev('(&)')).toBe(true);
    expect(ev('(|)')).toBe(false);
    expect(ev('(!(|))')).toBe(true);
  });

  it('does not see inherited object members as properties', () => {
    expect(evaluate('(constructor=*)', {})).toBe(false);
    expect(evaluateTernary('(toString=x)', {})).toBeUndefined();
  });
});

describe('matchDemandOffer', () => {
  const offer = {
    properties: { 'golem.runtime.name': 'vm', 'golem.inf.mem.gib': 4, 'golem.node.debug.subnet': 'public' },
    constraints: '(&\n  (golem.srv.comp.expiration>1705586871777)\n)',
  };
  const demand = {
    properties: { 'golem.srv.comp.expiration': 1716912000000, 'golem.node.debug.subnet': 'public' },
    constraints: '(&(golem.runtime.name=vm)(golem.inf.mem.gib>=0.5)(golem.node.debug.subnet=public))',
  };

  it('matches when both sides accept each other', () => {
    expect(matchDemandOffer(demand, offer)).toBe(true);
  });

  it('needs the offer to accept the demand too', () => {
    const early = { ...demand, properties: { ...demand.properties, 'golem.srv.comp.expiration': 1 } };
    expect(matchDemandOffer(early, offer)).toBe(false);
    const missing = { ...demand, properties: { 'golem.node.debug.subnet': 'public' } };
    expect(matchDemandOffer(missing, offer)).toBe(false);
  });

  it('needs the demand to accept the offer', () => {
    expect(matchDemandOffer({ ...demand, constraints: '(golem.inf.mem.gib>=16)' }, offer)).toBe(false);
  });

  it('accepts parsed constraints and throws ConstraintSyntaxError for a bad string', () => {
    expect(matchDemandOffer({ ...demand, constraints: parseConstraints('()') }, offer)).toBe(true);
    expect(() => matchDemandOffer({ ...demand, constraints: '(oops' }, offer)).toThrow(ConstraintSyntaxError);
  });

  it('matches one demand against 2,000 offers, reusing the cached parse', () => {
    const offers = Array.from({ length: 2000 }, (_, i) => ({
      properties: {
        'golem.runtime.name': i % 2 === 0 ? 'vm' : 'wasm',
        'golem.inf.mem.gib': i % 16,
        'golem.node.debug.subnet': 'public',
      },
      constraints: '(&(golem.srv.comp.expiration>1705586871777))',
    }));
    const matched = offers.filter((o) => matchDemandOffer(demand, o));
    expect(matched).toHaveLength(
      offers.filter(
        (o) => o.properties['golem.runtime.name'] === 'vm' && o.properties['golem.inf.mem.gib'] >= 0.5,
      ).length,
    );
    expect(parseConstraints(demand.constraints)).toBe(parseConstraints(demand.constraints));
  });
});

describe('flattenProperties', () => {
  it('flattens nested objects into dotted keys, keeping arrays', () => {
    expect(
      flattenProperties({
        golem: { inf: { 'mem.gib': 1, cpu: { threads: 4 } }, runtime: { capabilities: ['vpn'] } },
        'golem.node.id.name': 'x',
      }),
    ).toEqual({
      'golem.inf.mem.gib': 1,
      'golem.inf.cpu.threads': 4,
      'golem.runtime.capabilities': ['vpn'],
      'golem.node.id.name': 'x',
    });
  });

  it('assigns "@tag" to the parent key', () => {
    expect(
      flattenProperties({ golem: { com: { scheme: { '@tag': 'payu', payu: { 'interval-sec?': 60 } } } } }),
    ).toEqual({
      'golem.com.scheme': 'payu',
      'golem.com.scheme.payu.interval-sec?': 60,
    });
  });

  it('leaves flat input as it is, without mutating it', () => {
    const flat = { 'a.b': 1, 'c.d': [1, 2], e: 'x', f: null, g: true };
    const copy = structuredClone(flat);
    const out = flattenProperties(flat);
    expect(out).toEqual(copy);
    expect(flat).toEqual(copy);
  });

  it('keeps a "__proto__" key as an ordinary property', () => {
    const input = JSON.parse('{"a":{"__proto__":{"x":1}}}') as Record<string, unknown>;
    const out = flattenProperties(input);
    expect(Object.keys(out)).toEqual(['a.__proto__.x']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('wildcard matching (no RegExp, no backtracking)', () => {
  const m = (pattern: string, text: string) => matchWildcard(compileWildcard(pattern)!, text);

  it('anchors at both ends; * matches any run, every other character itself', () => {
    expect(compileWildcard('plain')).toBeUndefined();
    expect(m('*', '')).toBe(true);
    expect(m('*', 'anything')).toBe(true);
    expect(m('**', '')).toBe(true);
    expect(m('a*', 'abc')).toBe(true);
    expect(m('a*', 'ba')).toBe(false);
    expect(m('*c', 'abc')).toBe(true);
    expect(m('*c', 'cab')).toBe(false);
    expect(m('a*a', 'a')).toBe(false); // prefix and suffix must not overlap
    expect(m('a*a', 'aa')).toBe(true);
    expect(m('a*b*c', 'aXbYc')).toBe(true);
    expect(m('a*b*c', 'acb')).toBe(false);
    expect(m('a*bc*bc', 'abcbc')).toBe(true);
    expect(m('a*bc*bc', 'abc')).toBe(false);
    expect(m('.*', 'x.y')).toBe(false); // '.' is literal
    expect(m('.*', '.y')).toBe(true);
    expect(m('a*\nb', 'a\n\nb')).toBe(true);
  });

  it('agrees with an anchored regular expression on every small pattern and text', () => {
    const alphabet = ['a', 'b', '*'];
    const words = (n: number): string[] =>
      n === 0 ? [''] : words(n - 1).flatMap((w) => alphabet.map((c) => w + c));
    const patterns = [1, 2, 3, 4].flatMap(words).filter((p) => p.includes('*'));
    const texts = [0, 1, 2, 3, 4].flatMap(words).filter((t) => !t.includes('*'));
    for (const pattern of patterns) {
      const reference = new RegExp(`^${pattern.replaceAll('*', '.*')}$`, 's');
      for (const text of texts) expect(m(pattern, text), `${pattern} ~ ${text}`).toBe(reference.test(text));
    }
  });

  it('answers at once for many stars against a long text that does not match', () => {
    const text = 'x'.repeat(10_000);
    expect(m(`${'*'.repeat(1000)}!`, text)).toBe(false);
    expect(m(`${'*x'.repeat(500)}*!`, text)).toBe(false);
    expect(m(`${'*x'.repeat(500)}*`, text)).toBe(true);
  });
});

describe('JSON nesting bound (serde_json recursion limit)', () => {
  it('finds where arrays and objects nest deeper than the limit, ignoring strings', () => {
    expect(MAX_JSON_DEPTH).toBe(128);
    expect(jsonDepthExceededAt('[[1]]', 2)).toBeUndefined();
    expect(jsonDepthExceededAt('[[1]]', 1)).toBe(1);
    expect(jsonDepthExceededAt('{"a":{"b":[]}}', 2)).toBe(10);
    expect(jsonDepthExceededAt('{"a":"[[[{{{"}', 1)).toBeUndefined();
    expect(jsonDepthExceededAt('{"a":"\\"[[["}', 1)).toBeUndefined();
    expect(jsonDepthExceededAt('[],[],[]', 1)).toBeUndefined();
    expect(jsonDepthExceededAt(`${'['.repeat(128)}${']'.repeat(128)}`)).toBeUndefined();
    expect(jsonDepthExceededAt(`${'['.repeat(129)}${']'.repeat(129)}`)).toBe(128);
  });
});
