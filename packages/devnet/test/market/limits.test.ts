/**
 * One demand must not freeze devnet: wildcards match without backtracking, and bodies nested
 * deeper than serde_json's recursion limit (128) are a 400, as yagna answers them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEventDto } from 'golem-rx';
import { demandProperties, devnetClient, MARKET, subscribe, type Client } from './helpers.js';

const A = '/activity-api/v1';

describe('devnet limits: one demand cannot freeze or crash it', () => {
  let c: Client;
  beforeAll(async () => {
    c = await devnetClient({ providers: 12, seed: 3 });
  });
  afterAll(() => c.devnet.stop());

  /** POSTs a raw (already serialised) JSON body. */
  const postRaw = (path: string, body: string) =>
    c.call<{ message: string }>('POST', path, undefined, {
      body,
      headers: { authorization: `Bearer ${c.devnet.appKey}`, 'content-type': 'application/json' },
    });

  it('matches a constraint with 40 wildcards (no match, then all match), and still answers /version/get', async () => {
    const none = await subscribe(c, demandProperties(), `(golem.node.id.name=${'*'.repeat(40)}!)`);
    const noOffers = await c.get<MarketEventDto[]>(`${MARKET}/demands/${none}/events?timeout=0`);
    expect(noOffers.body).toEqual([]);

    const stars = '*'.repeat(20);
    const all = await subscribe(c, demandProperties(), `(golem.node.id.name=${stars}-${stars})`);
    const offers = await c.get<MarketEventDto[]>(`${MARKET}/demands/${all}/events?timeout=1&maxEvents=100`);
    expect(offers.body).toHaveLength(12);

    const version = await fetch(`${c.devnet.url}/version/get`);
    expect(version.status).toBe(200);
  });

  it('answers 400 for demand properties nested 5,000 levels deep (not a 500 stack overflow)', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await postRaw(`${MARKET}/demands`, `{"properties":${deep},"constraints":"()"}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/recursion limit exceeded .*deeper than 128 levels/);
    // the same body nested exactly 128 levels (the whole body included) is accepted
    const ok = `${'{"a":'.repeat(127)}1${'}'.repeat(127)}`;
    expect((await postRaw(`${MARKET}/demands`, `{"properties":${ok},"constraints":"()"}`)).status).toBe(201);
  });

  it('answers 400 for a constraint nested 5,000 levels deep, and for any body nested too deep', async () => {
    const constraints = `${'(&'.repeat(5000)}${')'.repeat(5000)}`;
    const res = await c.post<{ message: string }>(`${MARKET}/demands`, { properties: {}, constraints });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/nesting deeper than 128/);
    const deepArray = await postRaw(`${A}/activity`, `${'['.repeat(200)}${']'.repeat(200)}`);
    expect(deepArray.status).toBe(400);
    expect(deepArray.body.message).toMatch(/recursion limit exceeded/);
    expect((await fetch(`${c.devnet.url}/version/get`)).status).toBe(200);
  });
});
