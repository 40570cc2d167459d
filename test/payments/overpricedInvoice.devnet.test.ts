/**
 * Issue 16, defect 2, on devnet over real HTTP: the provider's invoice is its true amount (the
 * agreed prices of the usage it reports) times a factor (`provider:overpricedInvoice`). Every
 * overpriced invoice is refused with the limit stated (the true amount + 1%) and its rejection
 * attempted (devnet answers 501, as Real yagna does); a correctly priced one is accepted.
 */
import { Decimal } from 'decimal.js';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { isYagnaNotImplementedError } from '../../src/api/errors/YagnaNotImplementedError.js';
import type { PaymentEvent } from '../../src/operators/acceptPayments.js';
import { fromCall } from '../../src/rx/fromCall.js';
import type { Allocation } from '../../src/resources/Allocation.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { debitNotesOf, invoicesOf, nodeOn, paymentDevnet, payWith, rent, spentFrom, sum } from './support.js';

let devnet: DevnetHandle;
let node: GolemNode;

beforeEach(async () => {
  devnet = await paymentDevnet();
  node = nodeOn(devnet);
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
});

/** Rents once with `factor` on the invoice; returns the invoice's amount and the payment events. */
async function rentAndBill(factor: number | undefined, debitNoteIntervalSec: number) {
  if (factor !== undefined) devnet.faults.add({ kind: 'overpricedInvoice', factor });
  const allocation = await node.createAllocation({ amount: 10 });
  const payments = payWith(node, allocation, 10);
  const { agreementId } = await rent(node, allocation, { debitNoteIntervalSec, runSec: 2 });
  const [invoice, ...more] = await vi.waitFor(
    async () => {
      const amounts = await invoicesOf(node, agreementId);
      expect(amounts).not.toEqual([]);
      return amounts;
    },
    { timeout: 10_000, interval: 50 },
  );
  expect(more).toEqual([]);
  const invoiceEvent = await vi.waitFor(
    () => {
      const event = payments.events.find((e) => e.kind !== 'summary' && e.document.kind === 'Invoice');
      expect(event).toBeDefined();
      return event!;
    },
    { timeout: 20_000, interval: 50 },
  );
  payments.stop();
  expect(payments.errors).toEqual([]);
  const notes = await debitNotesOf(node, agreementId);
  return { invoice: invoice!, invoiceEvent, events: payments.events, notes, allocation, agreementId };
}

/** What was charged for the debit notes (the accepted ones). */
function chargedForDebitNotes(events: readonly PaymentEvent<Allocation>[]): Decimal {
  return sum(
    events.flatMap((e) => (e.kind === 'accepted' && e.document.kind === 'DebitNote' ? [e.amount] : [])),
  );
}

/** The status devnet holds for the invoice of an agreement. */
async function invoiceStatus(agreementId: string): Promise<string | undefined> {
  const all = await lastValueFrom(fromCall((signal) => node.api.payment.getInvoices({}, { signal })));
  return all.find((invoice) => invoice.agreementId === agreementId)?.status;
}

describe('overpriced invoices on devnet', () => {
  it.each([1.05, 1.5, 100])(
    'refuses an invoice at factor %s (with debit notes), stating the limit: the true amount + 1%',
    async (factor) => {
      const { invoice, invoiceEvent, events, notes, allocation, agreementId } = await rentAndBill(factor, 1);
      expect(notes.length).toBeGreaterThanOrEqual(1);
      expect(invoiceEvent.kind).toBe('overPrice');
      if (invoiceEvent.kind !== 'overPrice') return;
      expect(invoiceEvent.reason).toBe('price');
      // devnet's true amount is its usage at the agreed prices; the limit is that + 1%
      const trueAmount = invoice.div(factor);
      expect(invoiceEvent.limit).toBeDefined();
      expect(invoiceEvent.limit!.minus(trueAmount.times(1.01)).abs().lt('1e-12')).toBe(true);
      expect(invoice.gt(invoiceEvent.limit!)).toBe(true);
      // the rejection was attempted; devnet, like Real yagna, answers 501
      expect(invoiceEvent.rejection).toBe('notImplemented');
      expect(isYagnaNotImplementedError(invoiceEvent.rejectionError)).toBe(true);
      expect(await invoiceStatus(agreementId)).toBe('RECEIVED');
      // only the debit notes were paid
      const debitNotes = chargedForDebitNotes(events);
      expect(debitNotes.gt(0)).toBe(true);
      expect((await spentFrom(node, allocation)).toFixed()).toBe(debitNotes.toFixed());
    },
    60_000,
  );

  it('refuses an overpriced invoice without any debit note, from the activity’s usage', async () => {
    const { invoice, invoiceEvent, notes, allocation } = await rentAndBill(1.5, 120);
    expect(notes).toEqual([]);
    expect(invoiceEvent).toMatchObject({ kind: 'overPrice', reason: 'price', rejection: 'notImplemented' });
    if (invoiceEvent.kind !== 'overPrice') return;
    expect(invoiceEvent.limit!.minus(invoice.div(1.5).times(1.01)).abs().lt('1e-12')).toBe(true);
    expect((await spentFrom(node, allocation)).toFixed()).toBe('0');
  }, 60_000);

  it('accepts a correctly priced invoice, charging what the debit notes did not cover', async () => {
    const { invoice, invoiceEvent, events, notes, allocation, agreementId } = await rentAndBill(undefined, 1);
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(invoiceEvent.kind).toBe('accepted');
    if (invoiceEvent.kind !== 'accepted') return;
    expect(invoice.lte(invoiceEvent.limit)).toBe(true);
    expect(invoiceEvent.amount.toFixed()).toBe(invoice.minus(chargedForDebitNotes(events)).toFixed());
    expect((await spentFrom(node, allocation)).toFixed()).toBe(invoice.toFixed());
    expect(await invoiceStatus(agreementId)).not.toBe('RECEIVED');
  }, 60_000);
});
