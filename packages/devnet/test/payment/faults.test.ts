import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  OTHER_PROVIDER,
  PROVIDER,
  StubActivities,
  eventually,
  offerProperties,
  startHarness,
} from '../activity/harness.js';
import type { Harness } from '../activity/harness.js';
import type { InvoiceEventDto } from 'golem-rx';
import { P, events, invoiceOf } from './helpers.js';

describe('devnet payment: provider faults', () => {
  let h: Harness;
  let acts: StubActivities;
  beforeEach(async () => {
    h = await startHarness();
    acts = h.activities as StubActivities;
  });
  afterEach(async () => h.close());

  const finish = (provider = PROVIDER): string => {
    const agreement = h.market.add({
      providerId: provider.id,
      providerName: provider.name,
      offerProperties: offerProperties(provider),
    });
    acts.create(agreement.agreementId, [10, 20]);
    h.market.setState(agreement.agreementId, 'Terminated');
    return agreement.agreementId;
  };

  it('duplicatePaymentEvents: each event appears twice in the log', async () => {
    h.faults.add({ kind: 'duplicatePaymentEvents', providers: [PROVIDER.name] });
    const agreementId = finish();
    const invoice = await invoiceOf(h, agreementId);
    const all = await events<InvoiceEventDto>(h, 'invoiceEvents');
    expect(all.map((e) => e.invoiceId)).toEqual([invoice.invoiceId, invoice.invoiceId]);
    expect(all.map((e) => e.eventType)).toEqual(['InvoiceReceivedEvent', 'InvoiceReceivedEvent']);
    const gapMs = new Date(all[1]!.eventDate).getTime() - new Date(all[0]!.eventDate).getTime();
    expect(gapMs).toBeGreaterThanOrEqual(0);
    expect(gapMs).toBeLessThan(5);
  });

  it('outOfOrderPaymentEvents: a later event lands dated before one already logged', async () => {
    h.faults.add({ kind: 'outOfOrderPaymentEvents', providers: [OTHER_PROVIDER.id] });
    const first = finish(PROVIDER);
    await invoiceOf(h, first);
    finish(OTHER_PROVIDER);
    // a cursor-following reader could miss the second event: wait on the document list instead
    await eventually(async () => {
      const list = (await h.call('GET', `${P}/invoices`)).body as unknown[];
      return list.length === 2 ? list : undefined;
    });
    const all = await events<InvoiceEventDto>(h, 'invoiceEvents');
    expect(all).toHaveLength(2);
    // log order: first, then second; but the second is dated earlier
    expect(new Date(all[1]!.eventDate).getTime()).toBeLessThan(new Date(all[0]!.eventDate).getTime());
    // so a client whose cursor passed the first event never sees the second
    const afterFirst = await events(h, 'invoiceEvents', {
      afterTimestamp: all[0]!.eventDate,
      timeout: '0.1',
    });
    expect(afterFirst).toEqual([]);
  });

  it('overpricedInvoice: the invoice amount is the true amount times the factor', async () => {
    h.faults.add({ kind: 'overpricedInvoice', factor: 2 });
    const invoice = await invoiceOf(h, finish());
    expect(new Decimal(invoice.amount).eq('0.024')).toBe(true);
  });

  it('overpricedInvoice without a factor uses 1.5', async () => {
    h.faults.add({ kind: 'overpricedInvoice' });
    const invoice = await invoiceOf(h, finish());
    expect(new Decimal(invoice.amount).eq('0.018')).toBe(true);
  });

  it('noInvoice: the provider never sends an invoice', async () => {
    h.faults.add({ kind: 'noInvoice', providers: [PROVIDER.id] });
    finish(PROVIDER);
    const other = finish(OTHER_PROVIDER);
    const invoice = await invoiceOf(h, other);
    expect(invoice.issuerId).toBe(OTHER_PROVIDER.id);
    const all = await events<InvoiceEventDto>(h, 'invoiceEvents');
    expect(all.map((e) => e.invoiceId)).toEqual([invoice.invoiceId]);
    expect(await events(h, 'invoiceEvents', { afterTimestamp: all[0]!.eventDate, timeout: '0.3' })).toEqual(
      [],
    );
    expect((await h.call('GET', `${P}/invoices`)).body).toHaveLength(1);
  });
});
