import { distinct, filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { Agreement } from '../../src/resources/Agreement.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { nodeOn, testDevnet } from './support/devnet.js';

const PROVIDERS = 6;

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet({ providers: PROVIDERS });
});

afterEach(async () => {
  await devnet.stop();
});

/** Signs one approved agreement with each of `count` providers, at once, and starts an activity on each. */
async function rentFromEach(node: GolemNode, count: number): Promise<Agreement[]> {
  const allocation = await node.createAllocation({ amount: 10 });
  const demand = await node.createDemand({
    payload: {},
    allocations: [allocation],
    terms: { debitNoteIntervalSec: 1 },
  });
  const offers = await firstValueFrom(
    demand.proposals$.pipe(
      filter((p) => p.initial),
      distinct((p) => p.providerId),
      take(count),
      toArray(),
    ),
  );
  const agreements = await Promise.all(
    offers.map(async (offer) => {
      const agreement = await (await offer.respond()).createAgreement();
      await agreement.confirm();
      await agreement.waitForApproval(10_000);
      return agreement;
    }),
  );
  // created together, the activities bill together: their debit notes are logged within a few ms
  await Promise.all(agreements.map((agreement) => agreement.createActivity()));
  return agreements;
}

/** How many events of a log are dated before an event logged ahead of them (the fault at work). */
async function inversions(devnet: DevnetHandle, log: 'debitNoteEvents' | 'invoiceEvents'): Promise<number> {
  const response = await fetch(`${devnet.url}/payment-api/v1/${log}?timeout=0&maxEvents=100`, {
    headers: { authorization: `Bearer ${devnet.appKey}` },
  });
  const events = (await response.json()) as { eventDate: string }[];
  let newest = -Infinity;
  let count = 0;
  for (const { eventDate } of events) {
    const at = Date.parse(eventDate);
    if (at < newest) count += 1;
    newest = Math.max(newest, at);
  }
  return count;
}

describe('GolemNode under provider:outOfOrderPaymentEvents', () => {
  it('loses no debit note and no invoice, and delivers none twice', async () => {
    devnet.faults.add({ kind: 'outOfOrderPaymentEvents' });
    const node = nodeOn(devnet);
    const debitNotes: string[] = [];
    const invoices: string[] = [];
    const fail = (err: unknown) => expect.unreachable(String(err));
    const watching = [
      node.debitNotes$.subscribe({ next: (d) => debitNotes.push(d.id), error: fail }),
      node.invoices$.subscribe({ next: (i) => invoices.push(i.id), error: fail }),
    ];

    const agreements = await rentFromEach(node, PROVIDERS);
    // two rounds of debit notes from every activity
    await vi.waitFor(
      async () => expect((await node.debitNotes()).length).toBeGreaterThanOrEqual(2 * PROVIDERS),
      {
        timeout: 10_000,
        interval: 50,
      },
    );
    await Promise.all(agreements.map((agreement) => agreement.terminate()));
    await vi.waitFor(async () => expect(await node.invoices()).toHaveLength(PROVIDERS), {
      timeout: 10_000,
      interval: 50,
    });

    // the log holds what the devnet issued; the node must catch up on every one of them
    const issuedNotes = (await node.debitNotes()).map((d) => d.id).sort();
    const issuedInvoices = (await node.invoices()).map((i) => i.id).sort();
    await vi.waitFor(
      () => {
        expect([...debitNotes].sort()).toEqual(issuedNotes);
        expect([...invoices].sort()).toEqual(issuedInvoices);
      },
      { timeout: 10_000, interval: 50 },
    );
    // the fault did bite: events were logged dated before events already logged
    expect(
      (await inversions(devnet, 'debitNoteEvents')) + (await inversions(devnet, 'invoiceEvents')),
    ).toBeGreaterThan(0);
    // each document's one RECEIVED event was delivered once (a repeat would be recorded twice)
    for (const id of issuedNotes) expect(node.debitNote(id).events).toHaveLength(1);
    for (const id of issuedInvoices) expect(node.invoice(id).events).toHaveLength(1);

    watching.forEach((s) => s.unsubscribe());
    await node.close();
  });
});
