import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  PROVIDER,
  REQUESTOR_ID,
  StubActivities,
  demandProperties,
  startHarness,
} from '../activity/harness.js';
import type { Harness } from '../activity/harness.js';
import { P, allocate, debitNoteWhere, nextDebitNotes } from './helpers.js';

const dec = (s: string): Decimal => new Decimal(s);

describe('devnet payment: debit notes', () => {
  let h: Harness;
  let acts: StubActivities;
  beforeEach(async () => {
    h = await startHarness();
    acts = h.activities as StubActivities;
  });
  afterEach(async () => h.close());

  it('issues a cumulative debit note per activity at the negotiated interval, priced linearly', async () => {
    const agreement = h.market.add({ appSessionId: 'session-1' });
    const activityId = acts.create(agreement.agreementId, [10, 20]);
    const first = await nextDebitNotes(h, undefined);
    const note = first.notes[0]!;
    expect(note).toMatchObject({
      agreementId: agreement.agreementId,
      activityId,
      issuerId: PROVIDER.id,
      recipientId: REQUESTOR_ID,
      payeeAddr: PROVIDER.id,
      payerAddr: REQUESTOR_ID,
      paymentPlatform: 'erc20-holesky-tglm',
      usageCounterVector: [10, 20],
      status: 'RECEIVED',
    });
    // 10 cpu-s × 0.0001 + 20 s × 0.00005 + 0.01 start = 0.012
    expect(dec(note.totalAmountDue).eq('0.012')).toBe(true);
    expect(note.previousDebitNoteId).toBeUndefined();
    // payment-timeout-sec? = 120 negotiated: due 120 s after the note
    expect(new Date(note.paymentDueDate!).getTime() - new Date(note.timestamp).getTime()).toBeCloseTo(
      120_000,
      -2,
    );

    acts.setUsage(activityId, [20, 40]);
    const { note: second } = await debitNoteWhere(h, first.cursor, (n) => dec(n.totalAmountDue).eq('0.014'));
    expect(second.previousDebitNoteId).toBeDefined();
    expect(second.debitNoteId).not.toBe(note.debitNoteId);
    expect(new Date(second.timestamp).getTime()).toBeGreaterThan(new Date(note.timestamp).getTime());

    const list = (await h.call('GET', `${P}/debitNotes`)).body as {
      debitNoteId: string;
      previousDebitNoteId?: string;
    }[];
    expect(list[0]!.debitNoteId).toBe(note.debitNoteId);
    expect(list[1]!.previousDebitNoteId).toBe(note.debitNoteId);
    expect(list.at(-1)!.debitNoteId).toBe(second.debitNoteId);
  });

  it('omits paymentDueDate when no payment timeout was negotiated, and stops with the activity', async () => {
    const demand = demandProperties();
    delete demand['golem.com.scheme.payu.payment-timeout-sec?'];
    const agreement = h.market.add({ demandProperties: demand });
    const activityId = acts.create(agreement.agreementId, [1, 1]);
    const { notes, cursor } = await nextDebitNotes(h, undefined);
    expect(notes[0]!.paymentDueDate).toBeUndefined();
    acts.terminate(activityId, agreement.agreementId);
    const later = await h.call(
      'GET',
      `${P}/debitNoteEvents?timeout=1.5&afterTimestamp=${encodeURIComponent(cursor!)}`,
    );
    expect(later.body).toEqual([]);
  });

  it('accepts by the Real rules: exact amount, delta charged, idempotent, funds, 404/400/410, reject 501', async () => {
    const agreement = h.market.add();
    const a = acts.create(agreement.agreementId, [10, 20]);
    const b = acts.create(agreement.agreementId, [0, 0]);
    const first = await nextDebitNotes(h, undefined, 2);
    const noteA = first.notes.find((n) => n.activityId === a)!;
    const noteB = first.notes.find((n) => n.activityId === b)!;
    const alloc = await allocate(h, '0.02');
    const accept = (id: string, totalAmountAccepted: string, allocationId = alloc) =>
      h.call('POST', `${P}/debitNotes/${id}/accept?timeout=15`, { totalAmountAccepted, allocationId });

    const wrong = await accept(noteA.debitNoteId, '0.0121');
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ message: 'Invalid amount accepted' });
    const unknownAlloc = await accept(noteA.debitNoteId, '0.012', '5b4b2d5e-7a42-4f7e-9f0a-3b0c1d2e3f40');
    expect(unknownAlloc.status).toBe(400);
    const unknownNote = await accept('5b4b2d5e-7a42-4f7e-9f0a-3b0c1d2e3f40', '0.012');
    expect(unknownNote.status).toBe(404);
    expect(unknownNote.body).toEqual({ message: null });

    const ok = await accept(noteA.debitNoteId, '0.01200');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('null');
    expect((await h.call('GET', `${P}/debitNotes/${noteA.debitNoteId}`)).body).toMatchObject({
      status: 'ACCEPTED',
    });
    expect((await accept(noteA.debitNoteId, '0.012')).status).toBe(200);
    const afterFirst = (await h.call('GET', `${P}/allocations/${alloc}`)).body as {
      spentAmount: string;
      remainingAmount: string;
    };
    expect(dec(afterFirst.spentAmount).eq('0.012')).toBe(true);
    expect(dec(afterFirst.remainingAmount).eq('0.008')).toBe(true);

    // the next note of A is cumulative: only the delta is charged
    acts.setUsage(a, [20, 40]);
    const { note: nextA } = await debitNoteWhere(
      h,
      first.cursor,
      (n) => n.activityId === a && dec(n.totalAmountDue).eq('0.014'),
    );
    expect((await accept(nextA.debitNoteId, nextA.totalAmountDue)).status).toBe(200);
    const afterSecond = (await h.call('GET', `${P}/allocations/${alloc}`)).body as { spentAmount: string };
    expect(dec(afterSecond.spentAmount).eq('0.014')).toBe(true);

    // B's note (0.01) exceeds what remains (0.006)
    const poor = await accept(noteB.debitNoteId, noteB.totalAmountDue);
    expect(poor.status).toBe(400);
    expect((poor.body as { message: string }).message).toBe(
      'Not enough funds. Allocated: 0.006 Needed: 0.01',
    );

    await h.call('DELETE', `${P}/allocations/${alloc}`);
    const gone = await accept(noteB.debitNoteId, noteB.totalAmountDue);
    expect(gone.status).toBe(410);

    const reject = await h.call('POST', `${P}/debitNotes/${noteB.debitNoteId}/reject`, {
      rejectionReason: 'BAD_SERVICE',
      totalAmountAccepted: '0',
    });
    expect(reject.status).toBe(501);
    expect(reject.body).toEqual({ message: null });

    const stats = h.modules.at(-1)!.stats() as {
      debitNotes: { issued: number; accepted: number; amountAccepted: string };
    };
    expect(stats.debitNotes.accepted).toBe(2);
    expect(stats.debitNotes.issued).toBeGreaterThanOrEqual(4);
    expect(dec(stats.debitNotes.amountAccepted).eq('0.014')).toBe(true);
  });

  it('terminates the agreement with DebitNotesDeadline when a debit note is not accepted in time', async () => {
    const agreement = h.market.add({
      demandProperties: demandProperties({ 'golem.com.payment.debit-notes.accept-timeout?': 0.5 }),
    });
    acts.create(agreement.agreementId, [1, 1]);
    await nextDebitNotes(h, undefined);
    const events = await h.call('GET', `${P}/invoiceEvents?timeout=5`);
    expect(events.status).toBe(200);
    expect(h.market.terminations).toEqual([
      {
        agreementId: agreement.agreementId,
        reason: { code: 'DebitNotesDeadline', message: expect.stringContaining('within 0.5s') },
      },
    ]);
    expect(h.market.getAgreement(agreement.agreementId)?.state).toBe('Terminated');
  });

  it('keeps the agreement when debit notes are accepted within the accept timeout', async () => {
    // notes at 1 s and 2 s; the first one's deadline (1.8 s) passes before the second arrives
    const agreement = h.market.add({
      demandProperties: demandProperties({ 'golem.com.payment.debit-notes.accept-timeout?': 0.8 }),
    });
    acts.create(agreement.agreementId, [1, 1]);
    const alloc = await allocate(h, '1');
    const first = await nextDebitNotes(h, undefined);
    const note = first.notes[0]!;
    const res = await h.call('POST', `${P}/debitNotes/${note.debitNoteId}/accept`, {
      totalAmountAccepted: note.totalAmountDue,
      allocationId: alloc,
    });
    expect(res.status).toBe(200);
    // the second note comes after the first one's deadline
    await nextDebitNotes(h, first.cursor);
    expect(h.market.terminations).toEqual([]);
    expect(h.market.getAgreement(agreement.agreementId)?.state).toBe('Approved');
  });
});
