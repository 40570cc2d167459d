import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemandDto, MarketEventDto } from 'golem-rx';
import {
  demandProperties,
  devnetClient,
  MARKET,
  proposalOf,
  subscribe,
  untilPendingPolls,
  VM_CONSTRAINTS,
  type Client,
} from './helpers.js';

describe('devnet market: demands and collectOffers', () => {
  let c: Client;
  beforeAll(async () => {
    c = await devnetClient({ providers: 12, seed: 3 });
  });
  afterAll(() => c.devnet.stop());

  it('subscribes (201, bare JSON string id), lists, unsubscribes (204), then 404', async () => {
    const id = await subscribe(c);
    expect(id).toMatch(/^[0-9a-f]{32}-[0-9a-f]{64}$/);
    const list = await c.get<DemandDto[]>(`${MARKET}/demands`);
    const mine = list.body.find((d) => d.demandId === id);
    expect(mine).toMatchObject({ constraints: VM_CONSTRAINTS, requestorId: c.devnet.requestorId });
    expect(mine?.properties['golem.node.debug.subnet']).toBe('public');

    expect((await c.call('DELETE', `${MARKET}/demands/${id}`)).status).toBe(204);
    expect((await c.call('DELETE', `${MARKET}/demands/${id}`)).status).toBe(404);
    expect((await c.get(`${MARKET}/demands/${id}/events?timeout=0`)).status).toBe(404);
    const after = await c.get<DemandDto[]>(`${MARKET}/demands`);
    expect(after.body.some((d) => d.demandId === id)).toBe(false);
  });

  it('answers 400 for malformed subscription ids', async () => {
    expect((await c.call('DELETE', `${MARKET}/demands/not-an-id`)).status).toBe(400);
    expect((await c.get(`${MARKET}/demands/abc/events?timeout=0`)).status).toBe(400);
  });

  it('answers 400 for bad demand bodies and bad constraints', async () => {
    expect((await c.post(`${MARKET}/demands`, { properties: 'x', constraints: '()' })).status).toBe(400);
    expect((await c.post(`${MARKET}/demands`, { properties: {} })).status).toBe(400);
    const bad = await c.post(`${MARKET}/demands`, { properties: {}, constraints: '(&(a=1)' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: expect.any(String) });
  });

  it('delivers each offer once (consuming queue), in batches of maxEvents, then 200 [] on timeout', async () => {
    const id = await subscribe(c);
    const first = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=5`);
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(5);
    const rest = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=100`);
    expect(rest.body).toHaveLength(7);
    const ids = [...first.body, ...rest.body].map((e) => proposalOf(e).proposalId);
    expect(new Set(ids).size).toBe(12);
    for (const e of [...first.body, ...rest.body]) {
      const p = proposalOf(e);
      expect(p.state).toBe('Initial');
      expect(p.prevProposalId).toBeUndefined();
      expect(p.issuerId).toMatch(/^0x[0-9a-f]{40}$/);
    }
    const empty = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=0.1`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);
  });

  it('validates maxEvents to 1..100 (400 otherwise)', async () => {
    const id = await subscribe(c);
    for (const bad of ['0', '101', 'x', '2.5']) {
      expect((await c.get(`${MARKET}/demands/${id}/events?timeout=0&maxEvents=${bad}`)).status).toBe(400);
    }
    expect((await c.get(`${MARKET}/demands/${id}/events?timeout=0&maxEvents=100`)).status).toBe(200);
    expect((await c.get(`${MARKET}/demands/${id}/events?timeout=-1`)).status).toBe(400);
  });

  it('serves the offer proposals by id (M5), 404 for an unknown one', async () => {
    const id = await subscribe(c);
    const events = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=1`);
    const offer = proposalOf(events.body[0]);
    const res = await c.get(`${MARKET}/demands/${id}/proposals/${offer.proposalId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(offer);
    expect((await c.get(`${MARKET}/demands/${id}/proposals/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await c.get(`${MARKET}/demands/${id}/proposals/xyz`)).status).toBe(400);
  });

  it('matches constraints both ways: a demand matching no offer gets none', async () => {
    const none = await subscribe(
      c,
      demandProperties(),
      '(&(golem.runtime.name=vm)(golem.inf.mem.gib>=100000))',
    );
    expect((await c.get(`${MARKET}/demands/${none}/events?timeout=0.1`)).body).toEqual([]);

    // the offers' constraint (golem.srv.comp.expiration>…) is undefined without the property: no match
    const noExpiration = await subscribe(c, { 'golem.node.debug.subnet': 'public' }, VM_CONSTRAINTS);
    expect((await c.get(`${MARKET}/demands/${noExpiration}/events?timeout=0.1`)).body).toEqual([]);

    const wrongSubnet = await subscribe(
      c,
      demandProperties({ 'golem.node.debug.subnet': 'elsewhere' }),
      '(&(golem.runtime.name=vm)(golem.node.debug.subnet=elsewhere))',
    );
    expect((await c.get(`${MARKET}/demands/${wrongSubnet}/events?timeout=0.1`)).body).toEqual([]);
  });

  it('matches a subset by hardware constraints, and every delivered offer satisfies them', async () => {
    const id = await subscribe(c, demandProperties(), '(&(golem.runtime.name=vm)(golem.inf.cpu.threads>=8))');
    const res = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=0.5&maxEvents=100`);
    const threads = res.body.map((e) => proposalOf(e).properties['golem.inf.cpu.threads'] as number);
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.length).toBeLessThan(12);
    expect(threads.every((t) => t >= 8)).toBe(true);
  });

  it('flattens nested demand properties as yagna does', async () => {
    const id = await subscribe(
      c,
      {
        golem: { srv: { comp: { expiration: Date.now() + 600_000 } }, node: { debug: { subnet: 'public' } } },
      },
      VM_CONSTRAINTS,
    );
    const list = await c.get<DemandDto[]>(`${MARKET}/demands`);
    const mine = list.body.find((d) => d.demandId === id);
    expect(Object.keys(mine!.properties).sort()).toEqual([
      'golem.node.debug.subnet',
      'golem.srv.comp.expiration',
    ]);
    expect(
      (await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1`)).body.length,
    ).toBeGreaterThan(0);
  });

  it('ends a pending collectOffers with 404 when the demand is unsubscribed', async () => {
    const id = await subscribe(c);
    await c.get(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=100`);
    const pending = c.get(`${MARKET}/demands/${id}/events?timeout=30`);
    await untilPendingPolls(c, 1);
    expect((await c.call('DELETE', `${MARKET}/demands/${id}`)).status).toBe(204);
    expect((await pending).status).toBe(404);
  });

  it('splits events between concurrent pollers of one subscription', async () => {
    const id = await subscribe(c);
    const [a, b] = await Promise.all([
      c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=6`),
      c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=6`),
    ]);
    const ids = [...a.body, ...b.body].map((e) => proposalOf(e).proposalId);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });
});
