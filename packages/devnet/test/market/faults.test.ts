import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgreementEventDto, MarketEventDto } from 'golem-rx';
import { isDevnetConfigError, parseFaultSpec } from '../../src/index.js';
import {
  answers,
  collectUntil,
  demandProperties,
  devnetClient,
  MARKET,
  negotiateDraft,
  newAgreement,
  proposalOf,
  subscribe,
  untilPendingPolls,
  VM_CONSTRAINTS,
  type Client,
} from './helpers.js';

describe('parseFaultSpec', () => {
  it('parses HTTP, latency and provider faults', () => {
    expect(
      parseFaultSpec(
        'http:500@GET /market-api/v1/demands/*/events:times=2; latency:250@/payment-api/**:p=0.5;' +
          'http:503+100ms@POST/market-api/v1/agreements;provider:rejectCounter:p=0.3;' +
          'provider:neverApprove:providers=0xabc,sharp-elk;provider:overpricedInvoice:factor=2',
      ),
    ).toEqual([
      { kind: 'http', endpoint: 'GET /market-api/v1/demands/*/events', status: 500, count: { times: 2 } },
      { kind: 'http', endpoint: '* /payment-api/**', latencyMs: 250, count: { probability: 0.5 } },
      {
        kind: 'http',
        endpoint: 'POST /market-api/v1/agreements',
        status: 503,
        latencyMs: 100,
        count: 'always',
      },
      { kind: 'rejectCounter', probability: 0.3 },
      { kind: 'neverApprove', providers: ['0xabc', 'sharp-elk'] },
      { kind: 'overpricedInvoice', factor: 2 },
    ]);
    expect(parseFaultSpec('  ')).toEqual([]);
  });

  it.each([
    'http:418@/x',
    'http:500',
    'http:500@nopath',
    'http:500@/x:times=0',
    'http:500@/x:p=2',
    'http:500@/x:bogus=1',
    'latency:fast@/x',
    'provider:explode',
    'provider:rejectCounter:p=-1',
    'tcp:reset@/x',
  ])('rejects %s with a DevnetConfigError', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow();
    try {
      parseFaultSpec(spec);
    } catch (err) {
      expect(isDevnetConfigError(err)).toBe(true);
    }
  });
});

describe('devnet faults', () => {
  let c: Client | undefined;
  afterEach(async () => {
    await c?.devnet.stop();
    c = undefined;
  });

  it('answers HTTP 500 on a chosen endpoint N times, then recovers', async () => {
    c = await devnetClient({ providers: 2, faults: 'http:500@GET /market-api/v1/demands/*/events:times=2' });
    const id = await subscribe(c);
    const path = `${MARKET}/demands/${id}/events?timeout=0`;
    expect((await c.get(path)).status).toBe(500);
    expect((await c.get(path)).status).toBe(500);
    expect((await c.get(path)).status).toBe(200);
    expect((await c.get(`${MARKET}/demands`)).status).toBe(200);
    expect(c.devnet.faults.list()).toEqual([]);
    expect(c.devnet.stats().requests.faultsInjected).toBe(2);
  });

  it('fires probabilistic faults reproducibly for a seed', async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      const client = await devnetClient({ providers: 1, seed, faults: 'http:503@GET /me:p=0.5' });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await client.get('/me')).status);
      await client.devnet.stop();
      return statuses;
    };
    const a = await pattern(42);
    expect(a).toEqual(await pattern(42));
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it('adds latency to chosen endpoints only (faults added at run time)', async () => {
    c = await devnetClient({ providers: 1 });
    c.devnet.faults.add({
      kind: 'http',
      endpoint: 'GET /market-api/**',
      latencyMs: 3_600_000,
      count: 'always',
    });
    const controller = new AbortController();
    const slow = c.call('GET', `${MARKET}/demands`, undefined, { signal: controller.signal }).then(
      () => 'slow',
      () => 'aborted',
    );
    const fast = c.get('/me').then(() => 'fast');
    expect(await Promise.race([slow, fast])).toBe('fast');
    controller.abort();
    expect(await slow).toBe('aborted');
  });

  it('applies the global latency option to every request, on the devnet clock', async () => {
    const clock = new VirtualTimeScheduler(VirtualAction, Infinity);
    const client = await devnetClient({ providers: 1, latency: 1_000, scheduler: clock });
    c = client;
    const answeredAt: number[] = [];
    const answered = fetch(`${client.devnet.url}/version/get`).then((res) => {
      answeredAt.push(clock.now());
      return res.status;
    });
    // the request has arrived: it now waits for its latency on the (virtual) devnet clock
    await vi.waitFor(() => expect(client.devnet.stats().requests.total).toBe(1), { timeout: 10_000 });
    clock.maxFrames = 1_000;
    clock.flush();
    expect(await answered).toBe(200);
    expect(answeredAt).toEqual([1_000]); // answered once the clock reached the latency, not before
  });

  it('rejectCounter: the provider answers with ProposalRejectedEvent (is-final false)', async () => {
    c = await devnetClient({ providers: 2, faults: 'provider:rejectCounter' });
    const client = c;
    const demandId = await subscribe(client);
    const events = await client.get<MarketEventDto[]>(
      `${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`,
    );
    const offer = proposalOf(events.body[0]);
    const counter = await client.post<string>(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, {
      properties: demandProperties({ 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' }),
      constraints: VM_CONSTRAINTS,
    });
    const answer = await collectUntil(client, demandId, (e) => answers(e, counter.body));
    expect(answer).toMatchObject({
      eventType: 'ProposalRejectedEvent',
      proposalId: counter.body,
      reason: { 'golem.proposal.rejection.is-final': false },
    });
  });

  it('provider faults can target one provider by name', async () => {
    c = await devnetClient({ providers: 4, seed: 9 });
    const target = c.devnet.providers[0]!;
    c.devnet.faults.add({ kind: 'rejectCounter', providers: [target.name] });
    const demandId = await subscribe(c);
    const offers = (
      await c.get<MarketEventDto[]>(`${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=100`)
    ).body.map(proposalOf);
    const results = new Map<string, string>();
    for (const offer of offers) {
      const counter = await c.post<string>(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, {
        properties: demandProperties({ 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' }),
        constraints: VM_CONSTRAINTS,
      });
      const answer = await collectUntil(c, demandId, (e) => answers(e, counter.body));
      results.set(offer.issuerId, answer.eventType);
    }
    expect(results.get(target.id)).toBe('ProposalRejectedEvent');
    expect([...results.values()].filter((t) => t === 'ProposalEvent')).toHaveLength(3);
  });

  it('rejectAgreement: wait answers 410 Rejected and AgreementRejectedEvent is logged', async () => {
    c = await devnetClient({ providers: 2, faults: 'provider:rejectAgreement' });
    const id = await newAgreement(c, 'rej');
    const wait = await c.post(`${MARKET}/agreements/${id}/wait?timeout=10`);
    expect(wait.status).toBe(410);
    expect(wait.body).toEqual({ message: 'Rejected' });
    const events = await c.get<AgreementEventDto[]>(`${MARKET}/agreementEvents?timeout=0&appSessionId=rej`);
    expect(events.body).toEqual([
      expect.objectContaining({ eventType: 'AgreementRejectedEvent', agreementId: id }),
    ]);
  });

  it('neverApprove: wait answers 408 at its timeout, and the agreement can still be cancelled', async () => {
    c = await devnetClient({ providers: 2, faults: 'provider:neverApprove' });
    const id = await newAgreement(c, 'never');
    const wait = await c.post(`${MARKET}/agreements/${id}/wait?timeout=0.2`);
    expect(wait.status).toBe(408);
    expect(wait.body).toEqual({ message: `Timeout while waiting for Agreement [${id}] approval.` });
    expect((await c.post(`${MARKET}/agreements/${id}/wait?timeout=0`)).status).toBe(408);
    expect((await c.post(`${MARKET}/agreements/${id}/cancel`)).status).toBe(200);
  });

  it('restart drops pending long-polls (connection closed) and keeps the state', async () => {
    c = await devnetClient({ providers: 3 });
    const client = c;
    const id = await subscribe(client);
    await client.get(`${MARKET}/demands/${id}/events?timeout=1&maxEvents=100`);
    const pending = client.get(`${MARKET}/demands/${id}/events?timeout=30`).then(
      (r) => `answered ${r.status}`,
      (err: unknown) => `dropped: ${err instanceof Error ? err.message : String(err)}`,
    );
    const events = client.get(`${MARKET}/agreementEvents?timeout=30`).then(
      (r) => `answered ${r.status}`,
      () => 'dropped',
    );
    await untilPendingPolls(client, 2);
    client.devnet.restart();
    expect(await pending).toMatch(/^dropped/);
    expect(await events).toBe('dropped');
    expect(client.devnet.stats().pending.longPolls).toBe(0);
    // state survives, as yagna's DB does
    expect((await client.get(`${MARKET}/demands/${id}/events?timeout=0`)).status).toBe(200);
    const { draft } = await negotiateDraft(client);
    expect(draft.state).toBe('Draft');
  });
});
