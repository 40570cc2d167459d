import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { PROVIDER, REQUESTOR_ID, StubActivities, eventually, startHarness } from '../activity/harness.js';
import type { Harness } from '../activity/harness.js';
import type { PaymentDto } from 'golem-rx';
import { P, allocate, invoiceOf, nextDebitNotes } from './helpers.js';

const dec = (s: string): Decimal => new Decimal(s);

describe('devnet payment: invoices', () => {
  let h: Harness;
  let acts: StubActivities;
  beforeEach(async () => {
    h = await startHarness({ payment: { settleDelayMs: 20 } });
    acts = h.activities as StubActivities;
  });
  afterEach(async () => h.close());

  it('invoices the agreement after it is terminated, for the final cost of all its activities', async () => {
    const agreement = h.market.add();
    const a = acts.create(agreement.agreementId, [10, 20]);
    const b = acts.create(agreement.agreementId, [0, 0]);
    h.market.setState(agreement.agreementId, 'Terminated');
    const invoice = await invoiceOf(h, agreement.agreementId);
    expect(invoice).toMatchObject({
      issuerId: PROVIDER.id,
      recipientId: REQUESTOR_ID,
      payeeAddr: PROVIDER.id,
      payerAddr: REQUESTOR_ID,
      paymentPlatform: 'erc20-holesky-tglm',
      activityIds: [a, b],
      status: 'RECEIVED',
    });
    // 0.012 for a, the 0.01 start price for b
    expect(dec(invoice.amount).eq('0.022')).toBe(true);
    expect(new Date(invoice.paymentDueDate).getTime()).toBeGreaterThan(new Date(invoice.timestamp).getTime());
    // the terminated agreement gets no more debit notes
    const notes = await h.call('GET', `${P}/debitNoteEvents?timeout=1.3`);
    expect(notes.body).toEqual([]);
  });

  it('accepts by the Real rules, charging what debit notes did not, and pays it', async () => {
    const agreement = h.market.add({ appSessionId: 'pay-session' });
    const a = acts.create(agreement.agreementId, [10, 20]);
    const alloc = await allocate(h, '0.05');
    const note = (await nextDebitNotes(h, undefined)).notes[0]!;
    await h.call('POST', `${P}/debitNotes/${note.debitNoteId}/accept`, {
      totalAmountAccepted: '0.012',
      allocationId: alloc,
    });
    acts.setUsage(a, [30, 40]);
    h.market.setState(agreement.agreementId, 'Terminated');
    const invoice = await invoiceOf(h, agreement.agreementId);
    // 30 × 0.0001 + 40 × 0.00005 + 0.01 = 0.015
    expect(dec(invoice.amount).eq('0.015')).toBe(true);
    const accept = (totalAmountAccepted: string, allocationId = alloc) =>
      h.call('POST', `${P}/invoices/${invoice.invoiceId}/accept`, { totalAmountAccepted, allocationId });

    expect((await accept('0.0149')).status).toBe(400);
    expect((await accept('0.015', 'nope')).status).toBe(400);
    const ok = await accept('0.0150');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('null');
    expect((await accept('0.015')).status).toBe(200);
    const allocation = (await h.call('GET', `${P}/allocations/${alloc}`)).body as { spentAmount: string };
    expect(dec(allocation.spentAmount).eq('0.015')).toBe(true);

    // the debit note had a paymentDueDate (payment timeout negotiated): it is paid too
    const paid = await eventually(async () => {
      const res = await h.call('GET', `${P}/payments?timeout=1&appSessionId=pay-session`);
      const list = res.body as PaymentDto[];
      return list.length === 2 ? list : undefined;
    });
    expect(paid.map((p) => dec(p.amount).toString())).toEqual(['0.012', '0.003']);
    expect(paid[0]!.activityPayments).toEqual([{ activityId: a, amount: '0.012', allocationId: alloc }]);
    expect(paid[1]).toMatchObject({
      payerId: REQUESTOR_ID,
      payeeId: PROVIDER.id,
      paymentPlatform: 'erc20-holesky-tglm',
    });
    expect(paid[1]!.agreementPayments).toEqual([
      { agreementId: agreement.agreementId, amount: '0.003', allocationId: alloc },
    ]);
    expect((await h.call('GET', `${P}/payments?timeout=0&appSessionId=other`)).body).toEqual([]);
    expect((await h.call('GET', `${P}/payments/${paid[1]!.paymentId}`)).status).toBe(200);
    expect((await h.call('GET', `${P}/payments/none`)).status).toBe(404);
    expect((await h.call('GET', `${P}/invoices/${invoice.invoiceId}`)).body).toMatchObject({
      status: 'SETTLED',
    });
    expect((await h.call('GET', `${P}/payments/status`)).body).toEqual([]);

    const stats = h.modules.at(-1)!.stats() as {
      invoices: { issued: number; accepted: number; amountAccepted: string };
      payments: { count: number };
    };
    expect(stats.invoices).toMatchObject({ issued: 1, accepted: 1 });
    expect(dec(stats.invoices.amountAccepted).eq('0.015')).toBe(true);
    expect(stats.payments.count).toBe(2);
  });

  it('refuses an invoice over the remaining funds (400), on a released allocation (410), unknown (404); reject is 501', async () => {
    const agreement = h.market.add();
    acts.create(agreement.agreementId, [10, 20]);
    h.market.setState(agreement.agreementId, 'Terminated');
    const invoice = await invoiceOf(h, agreement.agreementId);
    const small = await allocate(h, '0.001');
    const poor = await h.call('POST', `${P}/invoices/${invoice.invoiceId}/accept`, {
      totalAmountAccepted: invoice.amount,
      allocationId: small,
    });
    expect(poor.status).toBe(400);
    expect((poor.body as { message: string }).message).toBe(
      'Not enough funds. Allocated: 0.001 Needed: 0.012',
    );
    await h.call('DELETE', `${P}/allocations/${small}`);
    const gone = await h.call('POST', `${P}/invoices/${invoice.invoiceId}/accept`, {
      totalAmountAccepted: invoice.amount,
      allocationId: small,
    });
    expect(gone.status).toBe(410);
    const unknown = await h.call('POST', `${P}/invoices/8b4b2d5e-7a42-4f7e-9f0a-3b0c1d2e3f40/accept`, {
      totalAmountAccepted: '1',
      allocationId: small,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: null });
    expect((await h.call('GET', `${P}/invoices/nope`)).status).toBe(404);
    const reject = await h.call('POST', `${P}/invoices/${invoice.invoiceId}/reject`, {
      rejectionReason: 'BAD_SERVICE',
      totalAmountAccepted: '0',
    });
    expect(reject.status).toBe(501);
    expect(reject.body).toEqual({ message: null });
    expect((await h.call('GET', `${P}/invoices`)).body).toHaveLength(1);
  });
});
