import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEventDto, ProposalDto, ProposalRejectedEventDto } from 'golem-rx';
import {
  answers,
  collectUntil,
  demandProperties,
  devnetClient,
  MARKET,
  negotiateDraft,
  proposalOf,
  subscribe,
  VM_CONSTRAINTS,
  type Client,
} from './helpers.js';

/** Subscribes, counters the first offer with `properties`, returns the provider's answer. */
async function counterWith(c: Client, properties: Record<string, unknown>): Promise<MarketEventDto> {
  const demandId = await subscribe(c);
  const events = await c.get<MarketEventDto[]>(`${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`);
  const offer = proposalOf(events.body[0]);
  const counter = await c.post<string>(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, {
    properties,
    constraints: VM_CONSTRAINTS,
  });
  expect(counter.status).toBe(200);
  return collectUntil(c, demandId, (e) => answers(e, counter.body));
}

function rejected(event: MarketEventDto): ProposalRejectedEventDto {
  if (event.eventType !== 'ProposalRejectedEvent')
    throw new Error(`expected a rejection: ${JSON.stringify(event)}`);
  return event;
}

describe('devnet market: negotiation with simulated providers', () => {
  let c: Client;
  beforeAll(async () => {
    c = await devnetClient({ providers: 5, seed: 11 });
  });
  afterAll(() => c.devnet.stop());

  it('answers a counter-proposal with a Draft whose prevProposalId is our counter id', async () => {
    const { demandId, offer, counterId, draft } = await negotiateDraft(c);
    expect(counterId).toMatch(/^[0-9a-f]{64}$/);
    expect(draft.state).toBe('Draft');
    expect(draft.prevProposalId).toBe(counterId);
    expect(draft.issuerId).toBe(offer.issuerId);
    expect(draft.properties['golem.com.pricing.model.linear.coeffs']).toEqual(
      offer.properties['golem.com.pricing.model.linear.coeffs'],
    );
    // our counter-proposal can be fetched too: issued by us, Draft, pointing at the offer
    const ours = await c.get<ProposalDto>(`${MARKET}/demands/${demandId}/proposals/${counterId}`);
    expect(ours.body).toMatchObject({
      issuerId: c.devnet.requestorId,
      state: 'Draft',
      prevProposalId: offer.proposalId,
    });
  });

  it('adopts a lower accept-timeout and the requestor payment timeout; drops its own when absent', async () => {
    const { draft } = await negotiateDraft(c, {
      'golem.com.payment.debit-notes.accept-timeout?': 120,
      'golem.com.scheme.payu.payment-timeout-sec?': 43200,
      'golem.com.scheme.payu.debit-note.interval-sec?': 60,
    });
    expect(draft.properties['golem.com.payment.debit-notes.accept-timeout?']).toBe(120);
    expect(draft.properties['golem.com.scheme.payu.payment-timeout-sec?']).toBe(43200);
    expect(draft.properties['golem.com.scheme.payu.debit-note.interval-sec?']).toBe(60);
    const plain = await negotiateDraft(c);
    expect(plain.draft.properties).not.toHaveProperty(['golem.com.scheme.payu.payment-timeout-sec?']);
  });

  it('rejects a counter without golem.com.payment.chosen-platform (is-final)', async () => {
    const event = rejected(await counterWith(c, demandProperties()));
    expect(event.reason?.message).toContain('golem.com.payment.chosen-platform');
    expect(event.reason?.['golem.proposal.rejection.is-final']).toBe(true);
  });

  it('rejects an unsupported payment platform', async () => {
    const event = rejected(
      await counterWith(c, demandProperties({ 'golem.com.payment.chosen-platform': 'erc20-nowhere-glm' })),
    );
    expect(event.reason?.message).toContain('not supported');
  });

  it('validates golem.srv.comp.expiration: < now+5min or > now+30min without accept-timeout', async () => {
    const soon = demandProperties({
      'golem.com.payment.chosen-platform': 'erc20-holesky-tglm',
      'golem.srv.comp.expiration': Date.now() + 60_000,
    });
    // the offer's constraint still matches (expiration > offer time), the provider rejects
    expect(rejected(await counterWith(c, soon)).reason?.message).toContain('less than 5m or more than 30m');
    const late = { ...soon, 'golem.srv.comp.expiration': Date.now() + 3600_000 };
    expect(rejected(await counterWith(c, late)).reason?.message).toContain('less than 5m or more than 30m');
    const lateWithTimeout = {
      ...late,
      'golem.com.payment.debit-notes.accept-timeout?': 240,
      'golem.com.scheme.payu.payment-timeout-sec?': 120,
    };
    expect((await counterWith(c, lateWithTimeout)).eventType).toBe('ProposalEvent');
  });

  it('rejects an accept-timeout above its own, an interval out of [1s, 24h], long agreements without payment timeout', async () => {
    const base = demandProperties({ 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' });
    const high = { ...base, 'golem.com.payment.debit-notes.accept-timeout?': 600 };
    expect(rejected(await counterWith(c, high)).reason?.message).toContain('accept timeout');
    const interval = { ...base, 'golem.com.scheme.payu.debit-note.interval-sec?': 0.5 };
    expect(rejected(await counterWith(c, interval)).reason?.message).toContain('interval');
    const long = {
      ...base,
      'golem.srv.comp.expiration': Date.now() + 11 * 3600_000,
      'golem.com.payment.debit-notes.accept-timeout?': 240,
    };
    expect(rejected(await counterWith(c, long)).reason?.message).toContain('mid-agreement payments');
  });

  it('answers 410 when a proposal is countered twice, 400 when countering our own', async () => {
    const { demandId, offer, counterId } = await negotiateDraft(c);
    const body = {
      properties: demandProperties({ 'golem.com.payment.chosen-platform': 'erc20-hoodi-tglm' }),
      constraints: VM_CONSTRAINTS,
    };
    expect((await c.post(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, body)).status).toBe(
      410,
    );
    expect((await c.post(`${MARKET}/demands/${demandId}/proposals/${counterId}`, body)).status).toBe(400);
  });

  it('answers 400 for a counter that does not match the offer', async () => {
    const demandId = await subscribe(c);
    const events = await c.get<MarketEventDto[]>(
      `${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`,
    );
    const offer = proposalOf(events.body[0]);
    const res = await c.post(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, {
      properties: demandProperties(),
      constraints: '(golem.runtime.name=wasmtime)',
    });
    expect(res.status).toBe(400);
  });

  it('rejects a proposal (204), then 410; a rejected proposal cannot be countered', async () => {
    const demandId = await subscribe(c);
    const events = await c.get<MarketEventDto[]>(
      `${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`,
    );
    const offer = proposalOf(events.body[0]);
    const path = `${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`;
    expect((await c.post(`${path}/reject`, { message: 'too expensive' })).status).toBe(204);
    expect((await c.post(`${path}/reject`)).status).toBe(410);
    expect((await c.get<ProposalDto>(path)).body.state).toBe('Rejected');
    const counter = await c.post(path, { properties: demandProperties(), constraints: VM_CONSTRAINTS });
    expect(counter.status).toBe(400);
  });
});
