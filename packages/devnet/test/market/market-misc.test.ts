import { describe, expect, it } from 'vitest';
import type { MarketEventDto, OfferDto } from 'golem-rx';
import { startDevnet } from '../../src/index.js';
import {
  devnetClient,
  MARKET,
  negotiateDraft,
  newAgreement,
  proposalOf,
  subscribe,
  untilPendingPolls,
} from './helpers.js';

describe('devnet market: stats, seeds, scale, scan, shutdown', () => {
  it('counts demands, proposals and agreements by state in /_devnet/stats and stats()', async () => {
    const c = await devnetClient({ providers: 4 });
    try {
      const id = await subscribe(c);
      await subscribe(c);
      await c.call('DELETE', `${MARKET}/demands/${id}`);
      const approved = await newAgreement(c, 's');
      await c.post(`${MARKET}/agreements/${approved}/wait?timeout=10`);
      const cancelled = await newAgreement(c);
      await c.post(`${MARKET}/agreements/${cancelled}/cancel`);
      await newAgreement(c); // stays in Proposal

      const stats = c.devnet.stats();
      const { requests: _ignored, ...overHttp } = (await c.get<Record<string, unknown>>('/_devnet/stats'))
        .body;
      const { requests: _also, ...direct } = stats;
      expect(overHttp).toEqual(JSON.parse(JSON.stringify(direct)));
      expect(stats.demands).toEqual({ active: 4, expired: 0, unsubscribed: 1, subscribed: 5 });
      expect(stats.offers).toBe(4);
      expect(stats.proposals).toMatchObject({ offered: 20, countered: 3, drafts: 3 });
      expect(stats.agreements).toMatchObject({
        total: 3,
        Approved: 1,
        Cancelled: 1,
        Proposal: 1,
        Pending: 0,
      });
      expect(stats.pending.longPolls).toBe(0);
      expect(stats.requests.total).toBeGreaterThan(10);
    } finally {
      await c.devnet.stop();
    }
  });

  it('reproduces the same market for the same seed, and another for another seed', async () => {
    const offersOf = async (seed: number): Promise<unknown[]> => {
      const c = await devnetClient({ providers: 6, seed });
      try {
        const id = await subscribe(c);
        const res = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=100`);
        return res.body.map((e) => {
          const p = proposalOf(e);
          return { issuerId: p.issuerId, proposalId: p.proposalId, properties: p.properties };
        });
      } finally {
        await c.devnet.stop();
      }
    };
    const a = await offersOf(7);
    expect(a).toHaveLength(6);
    expect(await offersOf(7)).toEqual(a);
    expect(await offersOf(8)).not.toEqual(a);
  });

  it('spreads providers over a subnet mix', async () => {
    const devnet = await startDevnet({ providers: 40, subnets: { public: 1, 'devnet-beta': 1 } });
    try {
      const subnets = new Set(devnet.providers.map((p) => p.subnet));
      expect(subnets).toEqual(new Set(['public', 'devnet-beta']));
    } finally {
      await devnet.stop();
    }
  });

  it('starts with 2,000 providers and hands every offer to a demand', async () => {
    const c = await devnetClient({ providers: 2000, seed: 2 });
    try {
      const id = await subscribe(c);
      let total = 0;
      for (;;) {
        const res = await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=0&maxEvents=100`);
        if (res.body.length === 0) break;
        total += res.body.length;
      }
      expect(total).toBe(2000);
      expect(new Set(c.devnet.providers.map((p) => p.id)).size).toBe(2000);
    } finally {
      await c.devnet.stop();
    }
  });

  it('scans offers (M18): matching offers once, then [] after the timeout; DELETE ends the scan', async () => {
    const c = await devnetClient({ providers: 8, seed: 4 });
    try {
      const scan = await c.post<string>(`${MARKET}/scan`, {
        type: 'offer',
        constraints: '(golem.inf.cpu.threads>=4)',
      });
      expect(scan.status).toBe(201);
      const first = await c.get<OfferDto[]>(`${MARKET}/scan/${scan.body}/events?timeout=0&maxEvents=3`);
      const rest = await c.get<OfferDto[]>(`${MARKET}/scan/${scan.body}/events?timeout=0`);
      const offers = [...first.body, ...rest.body];
      expect(offers.length).toBeGreaterThan(0);
      expect(offers.every((o) => (o.properties['golem.inf.cpu.threads'] as number) >= 4)).toBe(true);
      expect(new Set(offers.map((o) => o.offerId)).size).toBe(offers.length);
      expect((await c.get(`${MARKET}/scan/${scan.body}/events?timeout=0.1`)).body).toEqual([]);
      expect((await c.call('DELETE', `${MARKET}/scan/${scan.body}`)).status).toBe(204);
      expect((await c.get(`${MARKET}/scan/${scan.body}/events?timeout=0`)).status).toBe(404);
    } finally {
      await c.devnet.stop();
    }
  });

  it('frees a long-poll when its client disconnects', async () => {
    const c = await devnetClient({ providers: 1 });
    try {
      const id = await subscribe(c);
      await c.get(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=100`);
      const controller = new AbortController();
      const pending = c
        .call('GET', `${MARKET}/demands/${id}/events?timeout=60`, undefined, { signal: controller.signal })
        .catch(() => 'aborted');
      await untilPendingPolls(c, 1);
      controller.abort();
      expect(await pending).toBe('aborted');
      await untilPendingPolls(c, 0);
    } finally {
      await c.devnet.stop();
    }
  });

  it('stop() ends pending long-polls and provider timers, and is idempotent', async () => {
    const c = await devnetClient({ providers: 2, thinkTimeMs: [3_600_000, 3_600_000] });
    const id = await subscribe(c);
    const { offer } = {
      offer: proposalOf((await c.get<MarketEventDto[]>(`${MARKET}/demands/${id}/events?timeout=1`)).body[0]),
    };
    await c.post(`${MARKET}/demands/${id}/proposals/${offer.proposalId}`, {
      properties: { 'golem.srv.comp.expiration': Date.now() + 600_000, 'golem.node.debug.subnet': 'public' },
      constraints: '()',
    });
    expect(c.devnet.stats().pending.timers).toBe(1);
    const pending = c.get(`${MARKET}/demands/${id}/events?timeout=60`).then(
      () => 'answered',
      () => 'dropped',
    );
    await untilPendingPolls(c, 1);
    await Promise.all([c.devnet.stop(), c.devnet.stop()]);
    expect(await pending).toBe('dropped');
    expect(c.devnet.stats().pending).toEqual({ longPolls: 0, timers: 0 });
  });

  it('negotiates on a devnet with a per-provider agreement limit', async () => {
    const c = await devnetClient({ providers: 1, maxAgreementsPerProvider: 1 });
    try {
      const first = await newAgreement(c, 'limit');
      expect((await c.post(`${MARKET}/agreements/${first}/wait?timeout=10`)).status).toBe(204);
      const second = await negotiateDraft(c).catch((err: unknown) => err);
      // the only provider is busy: the counter is rejected, not final
      expect(second).toBeInstanceOf(Error);
      expect(String(second)).toContain('No capacity available');
      expect(String(second)).toContain('"golem.proposal.rejection.is-final":false');
      await c.post(`${MARKET}/agreements/${first}/terminate`);
      const third = await negotiateDraft(c);
      expect(third.draft.state).toBe('Draft');
    } finally {
      await c.devnet.stop();
    }
  });
});
