import { describe, expect, it } from 'vitest';
import { readBody } from '../../src/api/httpErrors.js';
import { JSON_PIECE_BYTES, parseArrayInPieces, readBodyBytes } from '../../src/api/jsonBody.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What the client read before: the text decoded whole, then parsed whole. */
const whole = (text: string) => readBody(new TextDecoder().decode(utf8(text)));

/** A collectOffers-like event of about 1.7 kB. */
function offerEvent(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    'golem.com.pricing.model.linear.coeffs': [i / 1e5, i / 2e5, 0.01],
    'golem.inf.cpu.brand': `Brand ${i} — “ünïcödé” ✓`,
    'golem.runtime.capabilities': ['inet', 'vpn', 'manifest-support'],
    'golem.node.id.name': `provider-${i}`,
    ...extra,
  };
  for (let k = 0; k < 20; k++) properties[`golem.filler.${k}`] = `value ${k} of ${i}`.repeat(3);
  return {
    eventType: 'ProposalEvent',
    eventDate: '2024-05-28T15:00:00.000000Z',
    proposal: { properties, constraints: '(&\n  (golem.srv.comp.expiration>1)\n)', proposalId: `p${i}` },
  };
}

describe('readBodyBytes', () => {
  it('reads a large array of offers exactly as a whole parse, in pieces', () => {
    const text = JSON.stringify(Array.from({ length: 200 }, (_, i) => offerEvent(i)));
    expect(utf8(text).length).toBeGreaterThan(3 * JSON_PIECE_BYTES);
    expect(readBodyBytes(utf8(text))).toEqual(whole(text));
    const pieces = parseArrayInPieces(utf8(text), 4096);
    expect(pieces).toEqual(JSON.parse(text));
  });

  it('cuts only between elements: a nested array of objects is not a place to cut', () => {
    const nested = Array.from({ length: 60 }, (_, i) =>
      offerEvent(i, { 'golem.nested': [{ a: 1 }, { b: [{ c: 2 }] }] }),
    );
    const text = JSON.stringify(nested);
    for (const piece of [64, 300, 1000, 5000]) expect(parseArrayInPieces(utf8(text), piece)).toEqual(nested);
  });

  it('reads strings full of `},{` right: pieces cut in them do not parse, and the body is read whole', () => {
    const strings = Array.from({ length: 2000 }, (_, i) => `${i}},{"a":{},{}},{`.repeat(5));
    const text = JSON.stringify(strings);
    expect(parseArrayInPieces(utf8(text), 1000)).toBeUndefined();
    expect(readBodyBytes(utf8(text))).toEqual({ empty: false, isJson: true, value: strings });
    const mixed = Array.from({ length: 60 }, (_, i) =>
      offerEvent(i, {
        'golem.trap': '"},{"eventType":"x"}, {\\"},{',
        'golem.nested': [{ a: 1 }, { d: '],[' }],
      }),
    );
    expect(readBodyBytes(utf8(JSON.stringify(mixed, null, 2))).value).toEqual(mixed);
  });

  it('reads arrays of arrays and of scalars', () => {
    const arrays = Array.from({ length: 500 }, (_, i) => [i, `s${i}`, [{ x: i }]]);
    expect(parseArrayInPieces(utf8(JSON.stringify(arrays)), 256)).toEqual(arrays);
    const scalars = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? i : `n${i}`));
    expect(parseArrayInPieces(utf8(JSON.stringify(scalars)), 256)).toEqual(scalars);
  });

  it('reports malformed large bodies as a whole parse does: plain text, not JSON', () => {
    const good = JSON.stringify(Array.from({ length: 100 }, (_, i) => offerEvent(i)));
    const broken = [
      good.slice(0, -1), // unterminated
      `${good}garbage`,
      good.replace('},{', '},,{'), // empty element
      `${good.slice(0, -1)},]`, // trailing comma
      good.replace('"ProposalEvent"', '"ProposalEvent'), // a string left open
      `${good.slice(0, -1)}}]`, // a bracket too many
    ];
    for (const text of broken) {
      const read = readBodyBytes(utf8(text));
      expect(read).toEqual(whole(text));
      expect(read.isJson).toBe(false);
    }
  });

  it('reads small bodies, objects, strings, empty bodies and a BOM as before', () => {
    const big = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => offerEvent(i)) });
    for (const text of ['', '  ', '[]', '"id"', 'null', '{"message":"x"}', 'Invalid key', big, '\uFEFF[1,2]'])
      expect(readBodyBytes(utf8(text))).toEqual(whole(text));
  });
});
