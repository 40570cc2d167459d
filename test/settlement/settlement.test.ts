/**
 * The node pays what it owes, and `close()` settles every approved agreement it made (issue 11
 * item 2, issue 16 item 5): against devnet over loopback HTTP. The node's scheduler is real here;
 * each test waits for the state (the close report, devnet's counters), never for a time.
 */
import { filter, firstValueFrom, merge, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { GolemEvent } from '../../src/bus/events.js';
import { type DevnetHandle } from '@golem-rx/devnet';
import { isPaymentRefusedError } from '../../src/errors/PaymentRefusedError.js';
import { acceptPayments } from '../../src/operators/acceptPayments.js';
import { AgreementUnsettled } from '../../src/resources/events.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import type { NodePaymentEvent } from '../../src/node/nodePayments.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from '../resources/support/devnet.js';
import { countingApi, paymentCounters } from './support.js';

let devnet: DevnetHandle | undefined;
const nodes: GolemNode[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await devnet?.stop();
  devnet = undefined;
});

async function start(options: Parameters<typeof testDevnet>[0] = {}): Promise<DevnetHandle> {
  devnet = await testDevnet(options);
  return devnet;
}

function track(node: GolemNode): GolemNode {
  nodes.push(node);
  return node;
}

/** An activity running `sh -c script` (deployed and started first). */
async function running(
  agreement: Awaited<ReturnType<typeof approvedAgreement>>['agreement'],
  script: string,
) {
  const activity = await agreement.createActivity();
  await activity.deployAndStart();
  const batch = await activity.exec([{ run: { entry_point: '/bin/sh', args: ['-c', script] } }]);
  return { activity, batch };
}

describe('close() settles every approved agreement the node made', () => {
  it('closed right after approval: the invoice is accepted before close() resolves', async () => {
    const net = await start();
    const node = track(nodeOn(net));
    const { agreement } = await approvedAgreement(node);

    const report = await node.close();

    expect(report).toEqual({ ok: true, failures: [], unsettled: [] });
    expect(paymentCounters(net).invoices).toMatchObject({ issued: 1, accepted: 1 });
    // yagna's own view (GET /invoices) from another node: the invoice of the agreement is ACCEPTED
    const other = track(nodeOn(net));
    const invoices = await other.invoices();
    expect(invoices.map((i) => [i.agreementId, i.data.status])).toEqual([[agreement.id, 'ACCEPTED']]);
    expect(openCounts(net)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });

  it('interrupted mid-command: debit notes and the invoice are paid, nothing left open', async () => {
    const net = await start();
    const node = track(nodeOn(net));
    const accepted: NodePaymentEvent[] = [];
    node.payments$.pipe(filter((e) => e.kind === 'accepted')).subscribe((e) => accepted.push(e));
    const { agreement } = await approvedAgreement(node, { debitNoteIntervalSec: 1 });
    await running(agreement, 'sleep 30');
    // a debit note is paid while the command runs
    await firstValueFrom(
      node.payments$.pipe(filter((e) => e.kind === 'accepted' && e.document.kind === 'DebitNote')),
    );

    const report = await node.close();

    expect(report.unsettled).toEqual([]);
    expect(report.ok).toBe(true);
    const { invoices } = paymentCounters(net);
    expect(invoices).toMatchObject({ issued: 1, accepted: 1 });
    expect(invoices.amountAccepted).toBe(invoices.amountDue);
    // what the node reports it spent is what devnet says the agreement cost
    expect(node.spent.toString()).toBe(invoices.amountAccepted);
    const last = accepted.at(-1);
    expect(last?.document.kind).toBe('Invoice');
    expect(last?.kind === 'accepted' && last.spent.toString()).toBe(invoices.amountAccepted);
    expect(openCounts(net)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });

  it('the invoice never comes (provider:noInvoice): close() resolves after invoiceTimeout and reports it', async () => {
    const net = await start({ faults: 'provider:noInvoice' });
    const node = track(nodeOn(net, { payments: { invoiceTimeout: 300 } }));
    const events: GolemEvent[] = [];
    node.events.events$.subscribe((e) => events.push(e));
    const { agreement } = await approvedAgreement(node);

    const report = await node.close();

    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([]);
    expect(report.unsettled).toEqual([{ agreement, reason: 'noInvoice' }]);
    const unsettled = events.filter((e): e is AgreementUnsettled => e instanceof AgreementUnsettled);
    expect(unsettled.map((e) => [e.resource, e.reason])).toEqual([[agreement, 'noInvoice']]);
    // the allocation was released after the wait all the same
    expect(openCounts(net)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
    expect(paymentCounters(net).invoices.issued).toBe(0);
  });

  it('an invoice over the agreed prices is refused and reported, not paid', async () => {
    const net = await start({ faults: 'provider:overpricedInvoice:factor=100' });
    const node = track(nodeOn(net));
    const { agreement } = await approvedAgreement(node, { debitNoteIntervalSec: 1 });
    const { batch } = await running(agreement, 'sleep 1');
    await firstValueFrom(batch.results$.pipe(toArray()));

    const report = await node.close();

    expect(report.ok).toBe(false);
    expect(report.unsettled).toHaveLength(1);
    const [item] = report.unsettled;
    expect(item?.agreement).toBe(agreement);
    expect(item?.reason).toBe('refused');
    expect(isPaymentRefusedError(item?.error)).toBe(true);
    expect(item?.invoice?.agreementId).toBe(agreement.id);
    expect(paymentCounters(net).invoices).toMatchObject({ issued: 1, accepted: 0 });
  });
});

describe('payments: false', () => {
  it('the node pays nothing; close() reports the approved agreement as notPaid at once', async () => {
    const net = await start();
    const node = track(nodeOn(net, { payments: false }));
    const { agreement } = await approvedAgreement(node);

    const report = await node.close();

    expect(report.ok).toBe(false);
    expect(report.unsettled).toEqual([{ agreement, reason: 'notPaid' }]);
    await expect.poll(() => paymentCounters(net).invoices.issued).toBe(1);
    expect(paymentCounters(net).invoices.accepted).toBe(0);
    expect(node.spent.toString()).toBe('0');
  });

  it('an invoice the user paid (acceptPayments) counts as settled: its status is read', async () => {
    const net = await start();
    const node = track(nodeOn(net, { payments: false }));
    const allocation = await node.createAllocation({ amount: 5 });
    const paid: string[] = [];
    merge(node.debitNotes$, node.invoices$)
      .pipe(acceptPayments({ allocation, budget: 5 }))
      .subscribe((e) => e.kind === 'accepted' && paid.push(e.document.kind));
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const offer = await firstValueFrom(demand.proposals$);
    const agreement = await (await offer.respond()).createAgreement();
    await agreement.confirm();
    await agreement.waitForApproval(10_000);
    await agreement.terminate();
    await expect.poll(() => paid).toContain('Invoice');

    const report = await node.close();

    expect(report).toEqual({ ok: true, failures: [], unsettled: [] });
  });
});

describe('the payer', () => {
  it('is lazy: a node that never signs polls no payment events; the first approval starts it', async () => {
    const net = await start();
    const { api, paymentCalls } = countingApi(net);
    const node = track(nodeOn(net, { api, apiUrl: net.url }));
    const allocation = await node.createAllocation({ amount: 5 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const offer = await firstValueFrom(demand.proposals$);
    const draft = await offer.respond();
    const polls = (): string[] => paymentCalls.filter((c) => c.endsWith('Events'));
    expect(polls()).toEqual([]);

    const agreement = await draft.createAgreement();
    await agreement.confirm();
    expect(polls()).toEqual([]);
    await agreement.waitForApproval(10_000);
    await expect.poll(() => new Set(polls())).toEqual(new Set(['getDebitNoteEvents', 'getInvoiceEvents']));
    expect((await node.close()).unsettled).toEqual([]);
  });

  it('pays an agreement made by id (not from a draft of this node) never', async () => {
    const net = await start();
    const maker = track(nodeOn(net));
    const { agreement } = await approvedAgreement(maker);
    const { api, paymentCalls } = countingApi(net);
    const other = track(nodeOn(net, { api, apiUrl: net.url }));
    const byId = other.agreement(agreement.id);
    await byId.waitForApproval(10_000);
    expect(byId.approved).toBe(true);
    const report = await other.close();
    expect(report.unsettled).toEqual([]);
    expect(paymentCalls).toEqual([]);
    expect((await maker.close()).unsettled).toEqual([]);
  });

  it('pays from the allocation on the platform the agreement chose, through the policy given', async () => {
    const net = await start();
    const seen: string[] = [];
    const node = track(
      nodeOn(net, {
        payments: {
          policy: (context) => {
            seen.push(context.allocation.paymentPlatform);
            expect(context.budget.toString()).toBe(context.allocation.data.totalAmount.toString());
            return acceptPayments(context);
          },
        },
      }),
    );
    const hoodi = await node.createAllocation({ amount: 3, network: 'hoodi' });
    const holesky = await node.createAllocation({ amount: 4, network: 'holesky' });
    const demand = await node.createDemand({ payload: {}, allocations: [hoodi, holesky] });
    expect(demand.allocations).toEqual([hoodi, holesky]);
    const offer = await firstValueFrom(
      demand.proposals$.pipe(
        filter((p) => 'golem.com.payment.platform.erc20-holesky-tglm.address' in p.properties),
      ),
    );
    const draft = await offer.respond({ 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' });
    const agreement = await draft.createAgreement();
    await agreement.confirm();
    await agreement.waitForApproval(10_000);

    const report = await node.close();

    expect(report.unsettled).toEqual([]);
    expect(seen).toEqual(['erc20-holesky-tglm']);
    expect(paymentCounters(net).invoices).toMatchObject({ issued: 1, accepted: 1 });
  });

  it('payments$ reports each document of the node’s agreements once, and completes at close', async () => {
    const net = await start();
    const node = track(nodeOn(net));
    const all = firstValueFrom(node.payments$.pipe(toArray()));
    const { agreement } = await approvedAgreement(node, { debitNoteIntervalSec: 1 });
    const { batch } = await running(agreement, 'sleep 2');
    await firstValueFrom(batch.results$.pipe(toArray()));
    await node.close();
    const events = await all;
    const ids = events.map((e) => e.document.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.filter((e) => e.document.kind === 'Invoice').map((e) => e.kind)).toEqual(['accepted']);
    expect(events.every((e) => e.document.agreementId === agreement.id)).toBe(true);
  });
});
