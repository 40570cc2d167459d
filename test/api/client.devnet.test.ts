/**
 * Every client function against devnet, over real loopback HTTP.
 */
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import { createYagnaApi, type YagnaApi } from '../../src/api/index.js';
import type { RuntimeEventDto } from '../../src/api/types/index.js';
import { isYagnaGoneError } from '../../src/api/errors/YagnaGoneError.js';
import { isYagnaNotFoundError } from '../../src/api/errors/YagnaNotFoundError.js';
import { isYagnaNotImplementedError } from '../../src/api/errors/YagnaNotImplementedError.js';
import { isYagnaTimeoutError } from '../../src/api/errors/YagnaTimeoutError.js';
import { isYagnaUnauthorizedError } from '../../src/api/errors/YagnaUnauthorizedError.js';
import { approvedAgreement, decoratedDemand, ECHO_HELLO, negotiate, pollUntil } from './support/rental.js';

let devnet: DevnetHandle;
let api: YagnaApi;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, providers: 6, seed: 11, payment: { settleDelayMs: 10 } });
  api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey }, {});
});
afterAll(() => devnet.stop());

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('identity and version', () => {
  it('reads /me and /version/get', async () => {
    const me = await api.identity.getIdentity();
    expect(me).toEqual({ identity: devnet.requestorId, name: expect.any(String), role: expect.any(String) });
    const version = await api.version.getVersion();
    expect(version.current.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers a wrong key with YagnaUnauthorizedError, while /version/get needs none', async () => {
    const stranger = createYagnaApi({ url: devnet.url, appKey: 'wrong-key-0000' }, {});
    expect(isYagnaUnauthorizedError(await failure(stranger.identity.getIdentity()))).toBe(true);
    await expect(createYagnaApi({ url: devnet.url }, {}).version.getVersion()).resolves.toBeDefined();
  });
});

describe('market', () => {
  it('subscribes, lists, collects, reads, rejects and unsubscribes', async () => {
    const allocation = await api.payment.createAllocation({ totalAmount: '1' });
    const demand = await decoratedDemand(api, allocation);
    const subscriptionId = await api.market.subscribeDemand(demand);
    expect((await api.market.getDemands()).map((d) => d.demandId)).toContain(subscriptionId);

    const offers = await pollUntil(
      () => api.market.collectOffers(subscriptionId, { timeout: 1, maxEvents: 2 }),
      (batch) => (batch.length > 0 ? batch : undefined),
    );
    expect(offers.length).toBeLessThanOrEqual(2);
    const first = offers[0]!;
    expect(first.eventType).toBe('ProposalEvent');
    if (first.eventType !== 'ProposalEvent') return;
    const proposal = await api.market.getProposalOffer(subscriptionId, first.proposal.proposalId);
    expect(proposal.proposalId).toBe(first.proposal.proposalId);
    expect(proposal.state).toBe('Initial');
    await api.market.rejectProposalOffer(subscriptionId, proposal.proposalId, { message: 'too expensive' });

    await api.market.unsubscribeDemand(subscriptionId);
    expect(
      isYagnaNotFoundError(await failure(api.market.collectOffers(subscriptionId, { timeout: 0 }))),
    ).toBe(true);
    expect(isYagnaNotFoundError(await failure(api.market.unsubscribeDemand(subscriptionId)))).toBe(true);
    await api.payment.releaseAllocation(allocation.allocationId);
  });

  it('answers an empty long-poll with [] after the server timeout', async () => {
    const events = await api.market.collectAgreementEvents({
      timeout: 0.2,
      afterTimestamp: new Date(Date.now() + 60_000),
    });
    expect(events).toEqual([]);
  });

  it('scans the market', async () => {
    const scanId = await api.market.beginScan({
      type: 'offer',
      constraints: '(golem.runtime.name=vm)',
      timeout: 30,
    });
    const offers = await api.market.collectScanResults(scanId, { timeout: 1, maxEvents: 50 });
    expect(offers.length).toBeGreaterThan(0);
    expect(offers[0]!.properties['golem.runtime.name']).toBe('vm');
    await api.market.endScan(scanId);
  });

  it('cancels an agreement before approval: waitForApproval answers 410 Cancelled', async () => {
    const n = await negotiate(api);
    const agreementId = await api.market.createAgreement({
      proposalId: n.draft.proposalId,
      validTo: new Date(Date.now() + 600_000),
    });
    await api.market.cancelAgreement(agreementId, { message: 'changed my mind' });
    expect((await api.market.getAgreement(agreementId)).state).toBe('Cancelled');
    const err = await failure(api.market.waitForApproval(agreementId, { timeout: 1 }));
    expect(isYagnaGoneError(err) && err.yagnaMessage).toBe('Cancelled');
    await api.market.unsubscribeDemand(n.subscriptionId);
    await api.payment.releaseAllocation(n.allocation.allocationId);
  });
});

describe('a full rental', () => {
  it('agreement, activity, exec, SSE, debit notes, payments, invoice, release', async () => {
    // Debit notes every second, each payable (mid-agreement payments): the whole payment API in one rental.
    const r = await approvedAgreement(api, {
      demand: {
        'golem.com.scheme.payu.debit-note.interval-sec?': 1,
        'golem.com.scheme.payu.payment-timeout-sec?': 1,
      },
    });
    const agreement = await api.market.getAgreement(r.agreementId);
    expect([agreement.state, agreement.appSessionId]).toEqual(['Approved', r.appSessionId]);
    const listed = await api.market.listAgreements({ appSessionId: r.appSessionId });
    expect(listed.map((a) => a.id)).toContain(r.agreementId);
    const approvedEvents = await api.market.collectAgreementEvents({
      afterTimestamp: r.since,
      appSessionId: r.appSessionId,
      timeout: 1,
    });
    expect(approvedEvents.map((e) => [e.eventType, e.agreementId])).toContainEqual([
      'AgreementApprovedEvent',
      r.agreementId,
    ]);

    // activity
    const { activityId } = await api.activity.createActivity(r.agreementId, { timeout: 10 });
    expect(await api.activity.getActivityAgreement(activityId)).toBe(r.agreementId);
    expect(await api.activity.listActivities(r.agreementId)).toContain(activityId);
    const batchId = await api.activity.exec(activityId, ECHO_HELLO);
    const streamed: RuntimeEventDto[] = [];
    const controller = new AbortController();
    for await (const event of api.activity.streamBatchResults(activityId, batchId, {
      signal: controller.signal,
    })) {
      streamed.push(event);
      if (event.index === 2 && 'finished' in event.kind) break;
    }
    expect(streamed.every((e) => e.batch_id === batchId)).toBe(true);
    expect(streamed.at(-1)?.kind).toEqual({ finished: { return_code: 0, message: null } });
    const results = await api.activity.getExecBatchResults(activityId, batchId, {
      timeout: 10,
      commandIndex: 2,
    });
    const last = results.at(-1)!;
    expect([last.index, last.result, last.isBatchFinished, last.stdout]).toEqual([2, 'Ok', true, 'hello\n']);
    expect((await api.activity.getActivityState(activityId)).state[0]).toBe('Ready');
    const usage = await api.activity.getActivityUsage(activityId);
    expect(Number.isInteger(usage.timestamp)).toBe(true);
    const running = await api.activity.getRunningCommand(activityId).catch((err: unknown) => {
      if (isYagnaNotFoundError(err)) return [];
      throw err;
    });
    expect(Array.isArray(running)).toBe(true);

    // a debit note arrives within about a second: accept it, see it paid
    const debitNoteId = await pollUntil(
      () =>
        api.payment.getDebitNoteEvents({ afterTimestamp: r.since, appSessionId: r.appSessionId, timeout: 2 }),
      (batch) => batch.find((e) => e.eventType === 'DebitNoteReceivedEvent')?.debitNoteId,
    );
    const debitNote = await api.payment.getDebitNote(debitNoteId);
    expect([debitNote.activityId, debitNote.agreementId]).toEqual([activityId, r.agreementId]);
    expect(debitNote.totalAmountDue).toBeInstanceOf(Decimal);
    expect((await api.payment.getDebitNotes()).map((d) => d.debitNoteId)).toContain(debitNoteId);
    await api.payment.acceptDebitNote(
      debitNoteId,
      { totalAmountAccepted: debitNote.totalAmountDue, allocationId: r.allocation.allocationId },
      { timeout: 10 },
    );
    const rejectErr = await failure(
      api.payment.rejectDebitNote(debitNoteId, { rejectionReason: 'BAD_SERVICE', totalAmountAccepted: '0' }),
    );
    expect(isYagnaNotImplementedError(rejectErr)).toBe(true);
    expect(debitNote.paymentDueDate).toBeDefined(); // mid-agreement payments were negotiated
    const payment = await pollUntil(
      () => api.payment.getPayments({ afterTimestamp: r.since, timeout: 2 }),
      (batch) => batch.find((p) => p.activityPayments.some((a) => a.activityId === activityId)),
    );
    expect(payment.amount.greaterThan(0)).toBe(true);
    const again = await api.payment.getPayment(payment.paymentId);
    expect(again.amount.equals(payment.amount)).toBe(true);

    await api.activity.destroyActivity(activityId, { timeout: 10 });
    expect((await api.activity.getActivityState(activityId)).state[0]).toBe('Terminated');

    // end of the agreement, invoice, payment
    await api.market.terminateAgreement(r.agreementId, { message: 'Finished' });
    const reason = await api.market.getTerminateAgreementReason(r.agreementId);
    expect([reason.agreementId, reason.terminator]).toEqual([r.agreementId, 'Requestor']);
    const invoiceId = await pollUntil(
      () =>
        api.payment.getInvoiceEvents({ afterTimestamp: r.since, appSessionId: r.appSessionId, timeout: 1 }),
      (batch) => batch.find((e) => e.eventType === 'InvoiceReceivedEvent')?.invoiceId,
    );
    const invoice = await api.payment.getInvoice(invoiceId);
    expect(invoice.agreementId).toBe(r.agreementId);
    expect(invoice.amount).toBeInstanceOf(Decimal);
    expect((await api.payment.getInvoices()).map((i) => i.invoiceId)).toContain(invoiceId);
    await api.payment.acceptInvoice(
      invoiceId,
      { totalAmountAccepted: invoice.amount, allocationId: r.allocation.allocationId },
      { timeout: 10 },
    );
    expect((await api.payment.getInvoice(invoiceId)).status).toMatch(/ACCEPTED|SETTLED/);
    const spent = await api.payment.getAllocation(r.allocation.allocationId);
    expect(spent.spentAmount.equals(invoice.amount)).toBe(true);
    expect(spent.remainingAmount.plus(spent.spentAmount).equals(spent.totalAmount)).toBe(true);
    await api.payment.releaseAllocation(r.allocation.allocationId);
    expect(isYagnaGoneError(await failure(api.payment.getAllocation(r.allocation.allocationId)))).toBe(true);
    await api.market.unsubscribeDemand(r.subscriptionId);
  });
});

describe('payment', () => {
  it('creates, lists, amends and releases allocations', async () => {
    const created = await api.payment.createAllocation({ totalAmount: new Decimal('2.5') });
    expect(created.totalAmount.equals('2.5')).toBe(true);
    expect((await api.payment.getAllocations()).map((a) => a.allocationId)).toContain(created.allocationId);
    const amended = await api.payment.amendAllocation(created.allocationId, { totalAmount: 3 });
    expect(amended.totalAmount.equals(3)).toBe(true);
    await api.payment.releaseAllocation(created.allocationId);
    expect(isYagnaGoneError(await failure(api.payment.releaseAllocation(created.allocationId)))).toBe(true);
  });

  it('reads accounts, documents, events, payments and driver status', async () => {
    const accounts = await api.payment.getRequestorAccounts();
    expect(accounts.length).toBeGreaterThan(0);
    expect(Array.isArray(await api.payment.getDebitNotes())).toBe(true);
    expect(Array.isArray(await api.payment.getDebitNoteEvents({ timeout: 0 }))).toBe(true);
    const payments = await api.payment.getPayments({ timeout: 0 });
    for (const p of payments) {
      expect(p.amount).toBeInstanceOf(Decimal);
      await expect(api.payment.getPayment(p.paymentId)).resolves.toMatchObject({ paymentId: p.paymentId });
    }
    expect(Array.isArray(await api.payment.paymentsStatus())).toBe(true);
    expect(
      isYagnaNotFoundError(await failure(api.payment.getDebitNote('00000000-0000-4000-8000-000000000000'))),
    ).toBe(true);
  });

  it('answers rejections with 501 like yagna', async () => {
    const err = await failure(
      api.payment.rejectInvoice('00000000-0000-4000-8000-000000000000', {
        rejectionReason: 'BAD_SERVICE',
        totalAmountAccepted: 0,
      }),
    );
    expect(isYagnaNotImplementedError(err)).toBe(true);
  });
});

describe('timeouts', () => {
  it('waitForApproval on an agreement that is never approved answers 408', async () => {
    devnet.faults.add({ kind: 'neverApprove' });
    try {
      const n = await negotiate(api);
      const agreementId = await api.market.createAgreement({
        proposalId: n.draft.proposalId,
        validTo: new Date(Date.now() + 600_000),
      });
      await api.market.confirmAgreement(agreementId, {});
      const err = await failure(api.market.waitForApproval(agreementId, { timeout: 0.3 }));
      expect(isYagnaTimeoutError(err) && err.status).toBe(408);
      await api.market.cancelAgreement(agreementId);
      await api.market.unsubscribeDemand(n.subscriptionId);
    } finally {
      devnet.faults.clear();
    }
  });
});
