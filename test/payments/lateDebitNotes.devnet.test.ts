/**
 * Issue 16, defect 1, on devnet over real HTTP: with 500 ms of latency on every payment call
 * (`latency:500@/payment-api/**`, as the issue found it) and a debit note every second, debit notes
 * of an agreement can arrive after its invoice; reading a debit note 1.5 s slower still makes sure
 * they do (the node reads them one at a time, so its debit-note stream falls behind the invoice's).
 * They must not be paid: what was spent equals the invoice, on our books and on the allocation.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { debitNotesOf, invoicesOf, nodeOn, paymentDevnet, payWith, rent, spentFrom, sum } from './support.js';

let devnet: DevnetHandle;
let node: GolemNode;

beforeEach(async () => {
  devnet = await paymentDevnet('latency:500@/payment-api/**;latency:1500@GET /payment-api/v1/debitNotes/*');
  node = nodeOn(devnet);
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
});

describe('acceptPayments with payment latency on devnet', () => {
  it('pays an agreement exactly its invoice: a debit note after the invoice is skipped, never charged', async () => {
    const allocation = await node.createAllocation({ amount: 10 });
    const payments = payWith(node, allocation, 10);
    const { agreementId } = await rent(node, allocation, { debitNoteIntervalSec: 1, runSec: 5 });

    // every debit note devnet issued for the agreement, and its invoice, got an event
    const issued = await debitNotesOf(node, agreementId);
    expect(issued.length).toBeGreaterThanOrEqual(5);
    await vi.waitFor(
      () => {
        const decided = new Set(payments.events.map((e) => (e.kind === 'summary' ? '' : e.document.id)));
        expect(issued.filter((id) => !decided.has(id))).toEqual([]);
        expect(payments.events.some((e) => e.kind === 'accepted' && e.document.kind === 'Invoice')).toBe(
          true,
        );
      },
      { timeout: 60_000, interval: 100 },
    );
    payments.stop();
    expect(payments.errors).toEqual([]);

    const [invoice, ...more] = await invoicesOf(node, agreementId);
    expect(more).toEqual([]);
    const accepted = payments.events.filter((e) => e.kind === 'accepted');
    const charged = sum(accepted.map((e) => e.amount));
    // what we accepted is the invoice, and so is what yagna charged the allocation
    expect(charged.toFixed()).toBe(invoice!.toFixed());
    expect((await spentFrom(node, allocation)).toFixed()).toBe(invoice!.toFixed());
    // the scenario happened: debit notes arrived after the invoice was taken up, and were skipped
    const late = payments.events.flatMap((e) =>
      e.kind === 'skipped' && e.reason === 'invoiced' ? [e.document.kind] : [],
    );
    expect(late.length).toBeGreaterThanOrEqual(1);
    expect(new Set(late)).toEqual(new Set(['DebitNote']));
    // nothing refused or failed: the invoice matched the agreed prices of the reported usage
    expect(payments.events.filter((e) => e.kind !== 'accepted' && e.kind !== 'skipped')).toEqual([]);
  }, 90_000);
});
