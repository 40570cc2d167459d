import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StubActivities, startHarness } from '../activity/harness.js';
import type { Harness } from '../activity/harness.js';
import type { InvoiceEventDto } from 'golem-rx';
import { P, allocate, events, invoiceOf } from './helpers.js';

describe('devnet payment: event long-polls', () => {
  let h: Harness;
  let acts: StubActivities;
  beforeEach(async () => {
    h = await startHarness();
    acts = h.activities as StubActivities;
  });
  afterEach(async () => h.close());

  const finish = (appSessionId?: string): string => {
    const agreement = h.market.add(appSessionId === undefined ? {} : { appSessionId });
    acts.create(agreement.agreementId, [1, 1]);
    h.market.setState(agreement.agreementId, 'Terminated');
    return agreement.agreementId;
  };

  it('answers [] when nothing happens before the timeout, for both logs', async () => {
    for (const kind of ['debitNoteEvents', 'invoiceEvents']) {
      const res = await h.call('GET', `${P}/${kind}?timeout=0.1`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    }
    expect((await h.call('GET', `${P}/invoiceEvents?timeout=0`)).body).toEqual([]);
    expect((await h.call('GET', `${P}/invoiceEvents?timeout=-1`)).status).toBe(400);
  });

  it('wakes a pending poll as soon as an event is logged', async () => {
    const pending = events<InvoiceEventDto>(h, 'invoiceEvents', { timeout: '20' });
    await h.timerScheduled(20_000); // the poll is waiting
    const agreementId = finish();
    const got = await pending;
    expect(got).toHaveLength(1);
    expect(got[0]!.eventType).toBe('InvoiceReceivedEvent');
    const invoice = (await h.call('GET', `${P}/invoices/${got[0]!.invoiceId}`)).body as {
      agreementId: string;
    };
    expect(invoice.agreementId).toBe(agreementId);
  });

  it('returns events strictly after afterTimestamp, ascending, capped by maxEvents', async () => {
    const first = finish();
    await invoiceOf(h, first);
    const second = finish();
    await invoiceOf(h, second);
    const all = await events<InvoiceEventDto>(h, 'invoiceEvents');
    expect(all).toHaveLength(2);
    expect(all[0]!.eventDate < all[1]!.eventDate).toBe(true);
    const after = await events<InvoiceEventDto>(h, 'invoiceEvents', { afterTimestamp: all[0]!.eventDate });
    expect(after.map((e) => e.invoiceId)).toEqual([all[1]!.invoiceId]);
    const none = await events(h, 'invoiceEvents', { afterTimestamp: all[1]!.eventDate, timeout: '0.1' });
    expect(none).toEqual([]);
    const capped = await events(h, 'invoiceEvents', { maxEvents: '1' });
    expect(capped).toHaveLength(1);
  });

  it('filters by the appSessionId of the agreement', async () => {
    const a = finish('session-a');
    const b = finish('session-b');
    await invoiceOf(h, a);
    await invoiceOf(h, b);
    const onlyA = await events<InvoiceEventDto>(h, 'invoiceEvents', { appSessionId: 'session-a' });
    expect(onlyA).toHaveLength(1);
    const invoice = (await h.call('GET', `${P}/invoices/${onlyA[0]!.invoiceId}`)).body as {
      agreementId: string;
    };
    expect(invoice.agreementId).toBe(a);
    expect(await events(h, 'invoiceEvents', { appSessionId: 'session-c', timeout: '0.1' })).toEqual([]);
  });

  it('gives a requestor RECEIVED and CANCELLED by default, more with X-Requestor-Events', async () => {
    const agreementId = finish();
    const invoice = await invoiceOf(h, agreementId);
    const alloc = await allocate(h, '1');
    await h.call('POST', `${P}/invoices/${invoice.invoiceId}/accept`, {
      totalAmountAccepted: invoice.amount,
      allocationId: alloc,
    });
    const byDefault = await events<InvoiceEventDto>(h, 'invoiceEvents', { timeout: '0.1' });
    expect(byDefault.map((e) => e.eventType)).toEqual(['InvoiceReceivedEvent']);
    const more = await events<InvoiceEventDto>(
      h,
      'invoiceEvents',
      { timeout: '0.1' },
      {
        'X-Requestor-Events': 'RECEIVED,CANCELLED,ACCEPTED',
      },
    );
    expect(more.map((e) => e.eventType)).toEqual(['InvoiceReceivedEvent', 'InvoiceAcceptedEvent']);
    const onlyAccepted = await events<InvoiceEventDto>(
      h,
      'invoiceEvents',
      { timeout: '0.1' },
      {
        'x-requestor-events': 'accepted',
      },
    );
    expect(onlyAccepted.map((e) => e.eventType)).toEqual(['InvoiceAcceptedEvent']);
  });

  it('drops pending polls when devnet restarts (the socket is destroyed)', async () => {
    const pending = fetch(`${h.url}${P}/debitNoteEvents?timeout=30`);
    await h.timerScheduled(30_000); // the poll is waiting
    h.restart.next();
    await expect(pending).rejects.toThrow();
    // the server still answers afterwards
    expect((await h.call('GET', `${P}/debitNoteEvents?timeout=0`)).status).toBe(200);
  });

  it('drops pending polls when the module closes', async () => {
    const pending = fetch(`${h.url}${P}/invoiceEvents?timeout=30`);
    await h.timerScheduled(30_000); // the poll is waiting
    h.modules.at(-1)!.close();
    await expect(pending).rejects.toThrow();
  });
});
