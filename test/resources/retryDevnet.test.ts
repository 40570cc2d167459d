/**
 * The calls that must succeed, against devnet over loopback HTTP with injected faults: terminate
 * and accept retry in the resource layer, destroy and release in the client (one layer each), and
 * what still fails after the retries is in `node.close()`'s report.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { Fault } from '@golem-rx/devnet';
import { isYagnaServerError } from '../../src/api/errors/YagnaServerError.js';
import type { Agreement } from '../../src/resources/Agreement.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

/** These tests accept the documents themselves: the node's own payer is off. */
const manualPay = { payments: false } as const;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

const fault = (endpoint: string, status: 500 | 503, times?: number): Fault => ({
  kind: 'http',
  endpoint,
  status,
  count: times === undefined ? 'always' : { times },
});

interface PaymentStats {
  invoices: { issued: number; accepted: number; amountDue: string; amountAccepted: string };
  requests: { faultsInjected: number };
}
const paymentStats = (): PaymentStats => devnet.stats() as unknown as PaymentStats;

/** Three approved agreements from one demand. */
async function threeAgreements(node: GolemNode): Promise<Agreement[]> {
  const allocation = await node.createAllocation({ amount: 10 });
  const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
  const offers = await firstValueFrom(demand.proposals$.pipe(take(3), toArray()));
  return Promise.all(
    offers.map(async (offer) => {
      const agreement = await (await offer.respond()).createAgreement();
      await agreement.confirm();
      await agreement.waitForApproval(10_000);
      return agreement;
    }),
  );
}

describe('terminate under injected faults', () => {
  it('one 500 on terminate: the agreement still terminates and its invoice is accepted', async () => {
    const node = nodeOn(devnet, manualPay);
    const { agreement, allocation } = await approvedAgreement(node);
    devnet.faults.add(fault('POST /market-api/v1/agreements/*/terminate', 500, 1));
    await agreement.terminate();
    expect(agreement.closed).toBe(true);
    expect(paymentStats().requests.faultsInjected).toBe(1);
    const invoice = await firstValueFrom(agreement.invoice$);
    await invoice.accept(allocation);
    expect((await invoice.getData({ force: true })).status).toBe('ACCEPTED');
    expect(paymentStats().invoices).toMatchObject({ issued: 1, accepted: 1 });
    const report = await node.close();
    expect(report).toMatchObject({ ok: true, failures: [] });
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });

  it('500 on every terminate: close() reports the 3 agreements it could not terminate, with their ids', async () => {
    const node = nodeOn(devnet, { closeRetries: 2 });
    const agreements = await threeAgreements(node);
    devnet.faults.add(fault('POST /market-api/v1/agreements/*/terminate', 500));
    const report = await node.close();
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => [f.resource.kind, f.resource.id, f.operation]).sort()).toEqual(
      agreements.map((a) => ['Agreement', a.id, 'terminate']).sort(),
    );
    expect(report.failures.every((f) => isYagnaServerError(f.error))).toBe(true);
    // 1 attempt + 2 retries each, and the rest of the close went on
    expect(paymentStats().requests.faultsInjected).toBe(9);
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 3, activities: 0, allocations: 0 });
  });
});

describe('accept under injected faults', () => {
  it('one 503 on invoice accept: the invoice is accepted after the retry', async () => {
    const node = nodeOn(devnet, manualPay);
    const { agreement, allocation } = await approvedAgreement(node);
    await agreement.terminate();
    const invoice = await firstValueFrom(agreement.invoice$);
    devnet.faults.add(fault('POST /payment-api/v1/invoices/*/accept', 503, 1));
    await invoice.accept(allocation);
    expect(paymentStats().requests.faultsInjected).toBe(1);
    expect((await invoice.getData({ force: true })).status).toBe('ACCEPTED');
    const { invoices } = paymentStats();
    expect(invoices).toMatchObject({ issued: 1, accepted: 1 });
    expect(invoices.amountAccepted).toBe(invoices.amountDue);
    await node.close();
  });

  it('one 503 on a debit note accept: accepted after the retry, and accepting it again is harmless', async () => {
    const node = nodeOn(devnet, manualPay);
    const { agreement, allocation } = await approvedAgreement(node, { debitNoteIntervalSec: 1 });
    const activity = await agreement.createActivity();
    await activity.deployAndStart();
    const note = await firstValueFrom(activity.debitNotes$);
    devnet.faults.add(fault('POST /payment-api/v1/debitNotes/*/accept', 503, 1));
    await note.accept(allocation);
    await note.accept(allocation); // yagna answers a repeated accept with 200: nothing more is paid
    expect((await note.getData({ force: true })).status).toBe('ACCEPTED');
    const stats = devnet.stats() as unknown as { debitNotes: { amountAccepted: string } };
    expect(stats.debitNotes.amountAccepted).toBe(note.data.totalAmountDue.toString());
    await node.close();
  });
});

describe('destroy and release under injected faults (retried by the client)', () => {
  it('two 500s on destroy and on release: both still succeed, close() reports nothing', async () => {
    const node = nodeOn(devnet);
    const { agreement } = await approvedAgreement(node);
    await agreement.createActivity();
    devnet.faults.add(fault('DELETE /activity-api/v1/activity/*', 500, 2));
    devnet.faults.add(fault('DELETE /payment-api/v1/allocations/*', 503, 2));
    const report = await node.close();
    expect(report).toMatchObject({ ok: true, failures: [] });
    expect(paymentStats().requests.faultsInjected).toBe(4);
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });

  it('500 on every release: close() reports the allocation it could not release', async () => {
    const node = nodeOn(devnet);
    const { allocation } = await approvedAgreement(node);
    devnet.faults.add(fault('DELETE /payment-api/v1/allocations/*', 500));
    const report = await node.close();
    expect(report.failures.map((f) => [f.resource.kind, f.resource.id, f.operation])).toEqual([
      ['Allocation', allocation.id, 'release'],
    ]);
    expect(openCounts(devnet)).toMatchObject({ allocations: 1, agreements: 0 });
  });
});
