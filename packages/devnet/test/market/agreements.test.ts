import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgreementDto,
  AgreementEventDto,
  AgreementListEntryDto,
  AgreementTerminationReasonDto,
  MarketEventDto,
} from 'golem-rx';
import {
  devnetClient,
  MARKET,
  negotiateDraft,
  newAgreement,
  proposalOf,
  subscribe,
  untilPendingPolls,
  type Client,
} from './helpers.js';

const validTo = (): string => new Date(Date.now() + 3600_000).toISOString();

describe('devnet market: agreements', () => {
  let c: Client;
  beforeAll(async () => {
    c = await devnetClient({ providers: 5, seed: 5 });
  });
  afterAll(() => c.devnet.stop());

  it('refuses to create an agreement from an Initial proposal (400), from our own (400), unknown (404)', async () => {
    const demandId = await subscribe(c);
    const events = await c.get<MarketEventDto[]>(
      `${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`,
    );
    const initial = proposalOf(events.body[0]);
    const res = await c.post(`${MARKET}/agreements`, { proposalId: initial.proposalId, validTo: validTo() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.stringContaining('No negotiation with Provider took place') });

    const { counterId } = await negotiateDraft(c);
    expect((await c.post(`${MARKET}/agreements`, { proposalId: counterId, validTo: validTo() })).status).toBe(
      400,
    );
    expect(
      (await c.post(`${MARKET}/agreements`, { proposalId: 'f'.repeat(64), validTo: validTo() })).status,
    ).toBe(404);
    expect((await c.post(`${MARKET}/agreements`, { proposalId: 'f'.repeat(64) })).status).toBe(400);
  });

  it('runs the whole lifecycle: create 200, confirm 204, wait 204, get, terminate 200, reason', async () => {
    const { demandId, draft, counterId } = await negotiateDraft(c);
    const created = await c.post<string>(`${MARKET}/agreements`, {
      proposalId: draft.proposalId,
      validTo: validTo(),
    });
    expect(created.status).toBe(200);
    const id = created.body;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (await c.post(`${MARKET}/agreements`, { proposalId: draft.proposalId, validTo: validTo() })).status,
    ).toBe(409);

    const before = await c.get<AgreementDto>(`${MARKET}/agreements/${id}`);
    expect(before.body.state).toBe('Proposal');
    expect((await c.post(`${MARKET}/agreements/${id}/wait?timeout=0`)).status).toBe(400);
    expect((await c.post(`${MARKET}/agreements/${id}/terminate`)).status).toBe(409);

    expect((await c.post(`${MARKET}/agreements/${id}/confirm?appSessionId=life`)).status).toBe(204);
    expect((await c.post(`${MARKET}/agreements/${id}/confirm?appSessionId=life`)).status).toBe(410);
    expect((await c.post(`${MARKET}/agreements/${id}/wait?timeout=10`)).status).toBe(204);

    const agreement = (await c.get<AgreementDto>(`${MARKET}/agreements/${id}`)).body;
    expect(agreement).toMatchObject({ agreementId: id, state: 'Approved', appSessionId: 'life' });
    expect(agreement.approvedDate).toEqual(expect.any(String));
    expect(agreement.demand).toMatchObject({ demandId, requestorId: c.devnet.requestorId });
    expect(agreement.demand.properties['golem.com.payment.chosen-platform']).toBe('erc20-hoodi-tglm');
    expect(agreement.offer.providerId).toBe(draft.issuerId);
    expect(c.devnet.providers.map((p) => p.offerId)).toContain(agreement.offer.offerId);
    expect(c.devnet.market.getAgreement(id)).toMatchObject({ state: 'Approved', providerId: draft.issuerId });
    expect(counterId).toBe(draft.prevProposalId);

    expect((await c.post(`${MARKET}/agreements/${id}/terminate`, { message: 'Finished' })).status).toBe(200);
    expect((await c.post(`${MARKET}/agreements/${id}/terminate`)).status).toBe(410);
    expect((await c.post(`${MARKET}/agreements/${id}/wait?timeout=0`)).status).toBe(400);
    const reason = await c.get<AgreementTerminationReasonDto>(`${MARKET}/agreements/${id}/terminate/reason`);
    expect(reason.status).toBe(200);
    expect(reason.body).toMatchObject({
      agreementId: id,
      terminator: 'Requestor',
      reason: { message: 'Finished' },
    });
    expect(reason.body).not.toHaveProperty('eventType');
    const byPost = await c.post(`${MARKET}/agreements/${id}/terminate/reason`);
    expect(byPost.body).toEqual(reason.body);
  });

  it('logs agreement events: strictly after afterTimestamp, filtered by appSessionId', async () => {
    const a = await newAgreement(c, 'session-a');
    const b = await newAgreement(c, 'session-b');
    expect((await c.post(`${MARKET}/agreements/${a}/wait?timeout=10`)).status).toBe(204);
    expect((await c.post(`${MARKET}/agreements/${b}/wait?timeout=10`)).status).toBe(204);
    await c.post(`${MARKET}/agreements/${a}/terminate`, { message: 'done' });

    const onlyA = await c.get<AgreementEventDto[]>(
      `${MARKET}/agreementEvents?timeout=0&appSessionId=session-a`,
    );
    expect(onlyA.body.map((e) => [e.eventType, e.agreementId])).toEqual([
      ['AgreementApprovedEvent', a],
      ['AgreementTerminatedEvent', a],
    ]);
    const approved = onlyA.body[0]!;
    const after = await c.get<AgreementEventDto[]>(
      `${MARKET}/agreementEvents?timeout=0&appSessionId=session-a&afterTimestamp=${encodeURIComponent(approved.eventDate)}`,
    );
    expect(after.body.map((e) => e.eventType)).toEqual(['AgreementTerminatedEvent']);
    const terminated = after.body[0]!;
    expect(terminated).toMatchObject({ terminator: 'Requestor', reason: { message: 'done' }, signature: '' });
    // strictly after: the last event's own date yields nothing (and the poll times out with [])
    const none = await c.get<AgreementEventDto[]>(
      `${MARKET}/agreementEvents?timeout=0.1&appSessionId=session-a&afterTimestamp=${encodeURIComponent(terminated.eventDate)}`,
    );
    expect(none.body).toEqual([]);

    const all = await c.get<AgreementEventDto[]>(`${MARKET}/agreementEvents?timeout=0&maxEvents=100`);
    expect(all.body.map((e) => e.agreementId)).toEqual(expect.arrayContaining([a, b]));
    const dates = all.body.map((e) => e.eventDate);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
    expect((await c.get(`${MARKET}/agreementEvents?timeout=0&maxEvents=0`)).status).toBe(400);
    expect((await c.get(`${MARKET}/agreementEvents?timeout=0&afterTimestamp=yesterday`)).status).toBe(400);
  });

  it('wakes a pending agreementEvents poll when an event arrives', async () => {
    const id = await newAgreement(c);
    const pending = c.get<AgreementEventDto[]>(`${MARKET}/agreementEvents?timeout=10&appSessionId=wake-me`);
    await untilPendingPolls(c, 1);
    expect((await c.post(`${MARKET}/agreements/${id}/confirm?appSessionId=wake-me`)).status).toBe(204);
    const events = await pending;
    expect(events.body).toEqual([
      expect.objectContaining({ eventType: 'AgreementApprovedEvent', agreementId: id }),
    ]);
  });

  it('cancels before approval: 200, wait 410 Cancelled, AgreementCancelledEvent; cancel again 410', async () => {
    const id = await newAgreement(c);
    expect((await c.post(`${MARKET}/agreements/${id}/cancel`, { message: 'changed my mind' })).status).toBe(
      200,
    );
    const wait = await c.post(`${MARKET}/agreements/${id}/wait?timeout=1`);
    expect(wait.status).toBe(410);
    expect(wait.body).toEqual({ message: 'Cancelled' });
    expect((await c.post(`${MARKET}/agreements/${id}/cancel`)).status).toBe(410);
    const events = await c.get<AgreementEventDto[]>(`${MARKET}/agreementEvents?timeout=0&maxEvents=100`);
    expect(events.body).toContainEqual(
      expect.objectContaining({
        eventType: 'AgreementCancelledEvent',
        agreementId: id,
        reason: { message: 'changed my mind' },
      }),
    );
  });

  it('lists agreements with filters', async () => {
    const id = await newAgreement(c, 'listed');
    await c.post(`${MARKET}/agreements/${id}/wait?timeout=10`);
    const list = await c.get<AgreementListEntryDto[]>(
      `${MARKET}/agreements?appSessionId=listed&state=Approved`,
    );
    expect(list.body).toEqual([
      { id, timestamp: expect.any(String), approvedDate: expect.any(String), role: 'Requestor' },
    ]);
    expect(
      (await c.get<AgreementListEntryDto[]>(`${MARKET}/agreements?appSessionId=listed&state=Terminated`))
        .body,
    ).toEqual([]);
    expect((await c.get(`${MARKET}/agreements?state=Bogus`)).status).toBe(400);
  });

  it('lets a provider terminate (terminateByProvider) with a golem.provider.code', async () => {
    const id = await newAgreement(c, 'by-provider');
    await c.post(`${MARKET}/agreements/${id}/wait?timeout=10`);
    c.devnet.market.terminateByProvider(id, { message: 'Shutting down', code: 'Shutdown' });
    const reason = await c.get<AgreementTerminationReasonDto>(`${MARKET}/agreements/${id}/terminate/reason`);
    expect(reason.body).toMatchObject({
      terminator: 'Provider',
      reason: { message: 'Shutting down', 'golem.provider.code': 'Shutdown' },
    });
    expect((await c.post(`${MARKET}/agreements/${id}/terminate`)).status).toBe(410);
  });

  it('answers 400 for malformed and 404 for unknown agreement ids; 404 for a reason before termination', async () => {
    expect((await c.get(`${MARKET}/agreements/xyz`)).status).toBe(400);
    expect((await c.get(`${MARKET}/agreements/${'a'.repeat(64)}`)).status).toBe(404);
    const id = await newAgreement(c);
    expect((await c.get(`${MARKET}/agreements/${id}/terminate/reason`)).status).toBe(404);
  });

  it('expires an agreement whose validTo passes before approval (wait 410)', async () => {
    const { draft } = await negotiateDraft(c);
    const res = await c.post<string>(`${MARKET}/agreements`, {
      proposalId: draft.proposalId,
      validTo: new Date(Date.now() - 1000).toISOString(),
    });
    const wait = await c.post(`${MARKET}/agreements/${res.body}/wait?timeout=1`);
    expect(wait.status).toBe(410);
    expect((await c.get<AgreementDto>(`${MARKET}/agreements/${res.body}`)).body.state).toBe('Expired');
  });
});
