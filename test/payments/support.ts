/**
 * Helpers of the payment tests: a devnet, a node that does not pay by itself, one real rental with
 * frequent debit notes, and `acceptPayments` over the node's debit notes and invoices with the
 * two optional port methods (`activityUsage`, `reject`) implemented over the node's yagna client,
 * as the resource layer is to implement them.
 */
import { Decimal } from 'decimal.js';
import { firstValueFrom, lastValueFrom, map, merge } from 'rxjs';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import {
  type PayableDocument,
  type PaymentEvent,
  type PaymentRejection,
  acceptPayments,
} from '../../src/operators/acceptPayments.js';
import { fromCall } from '../../src/rx/fromCall.js';
import type { Allocation } from '../../src/resources/Allocation.js';
import type { DebitNote } from '../../src/resources/DebitNote.js';
import { GolemNode } from '../../src/node/GolemNode.js';
import type { Invoice } from '../../src/resources/Invoice.js';
import type { GolemNodeOptions } from '../../src/resources/nodeOptions.js';

/** A seeded devnet with a few quick providers and the given faults (a devnet fault SPEC). */
export function paymentDevnet(faults?: string): Promise<DevnetHandle> {
  return startDevnet({
    port: 0,
    providers: 3,
    seed: 2,
    thinkTimeMs: [1, 5],
    approvalDelayMs: [1, 5],
    ...(faults === undefined ? {} : { faults }),
  });
}

/**
 * A node on `devnet` with short long-polls, whose own payer is off (`payments: false`): the tests
 * pay with their own `acceptPayments`.
 */
export function nodeOn(devnet: DevnetHandle): GolemNode {
  const options: GolemNodeOptions & { payments: false } = {
    apiUrl: devnet.url,
    appKey: devnet.appKey,
    env: {},
    pollTimeoutSec: 1,
    minPollIntervalMs: 20,
    backoff: { initialMs: 50, maxMs: 200 },
    payments: false,
  };
  return new GolemNode(options);
}

/** The resource layer's document, with `activityUsage` and `reject` over the node's client. */
export function payable(node: GolemNode, document: DebitNote | Invoice): PayableDocument<Allocation> {
  const { api } = node;
  const base = {
    id: document.id,
    agreementId: document.agreementId,
    amount: document.amount,
    agreementTerms: () => document.agreementTerms(),
    accept: (allocation: Allocation, amount: Decimal) => document.accept(allocation, amount),
    activityUsage: (activityId: string) =>
      fromCall((signal) => api.activity.getActivityUsage(activityId, { signal })).pipe(
        map((usage) => usage.currentUsage),
      ),
  };
  const wire = (rejection: PaymentRejection) => ({
    rejectionReason: rejection.rejectionReason,
    totalAmountAccepted: rejection.totalAmountAccepted.toFixed(),
    message: rejection.message,
  });
  if (document.kind === 'DebitNote') {
    return {
      ...base,
      kind: 'DebitNote',
      activityId: document.activityId,
      ...(document.usage === undefined ? {} : { usage: document.usage }),
      reject: (rejection) =>
        fromCall((signal) => api.payment.rejectDebitNote(document.id, wire(rejection), {}, { signal })),
    };
  }
  return {
    ...base,
    kind: 'Invoice',
    activityIds: document.activityIds,
    reject: (rejection) =>
      fromCall((signal) => api.payment.rejectInvoice(document.id, wire(rejection), {}, { signal })),
  };
}

/** `acceptPayments` over the node's debit notes and invoices, recording every event. */
export function payWith(
  node: GolemNode,
  allocation: Allocation,
  budget: Decimal.Value,
): { readonly events: PaymentEvent<Allocation>[]; readonly errors: unknown[]; stop(): void } {
  const events: PaymentEvent<Allocation>[] = [];
  const errors: unknown[] = [];
  const subscription = merge<(DebitNote | Invoice)[]>(node.debitNotes$, node.invoices$)
    .pipe(
      map((document) => payable(node, document)),
      acceptPayments({ allocation, budget }),
    )
    .subscribe({ next: (event) => events.push(event), error: (error: unknown) => errors.push(error) });
  return { events, errors, stop: () => subscription.unsubscribe() };
}

/** What one rental made. */
export interface Rental {
  readonly agreementId: string;
  readonly activityId: string;
}

/**
 * Rents one provider as a requestor does: a demand with the given debit-note interval, the first
 * offer countered, an agreement approved, an activity deployed that runs `sleep <runSec>`, then
 * destroyed, and the agreement terminated (the provider then invoices).
 */
export async function rent(
  node: GolemNode,
  allocation: Allocation,
  options: { readonly debitNoteIntervalSec: number; readonly runSec: number },
): Promise<Rental> {
  const demand = await node.createDemand({
    payload: {},
    allocations: [allocation],
    terms: { debitNoteIntervalSec: options.debitNoteIntervalSec },
  });
  const offer = await firstValueFrom(demand.proposals$);
  const draft = await offer.respond();
  const agreement = await draft.createAgreement();
  await agreement.confirm();
  await agreement.waitForApproval(10_000);
  const activity = await agreement.createActivity();
  await activity.deployAndStart();
  const batch = await activity.exec([
    { run: { entry_point: '/bin/sh', args: ['-c', `sleep ${options.runSec}`] } },
  ]);
  await lastValueFrom(batch.results$);
  await activity.destroy();
  await agreement.terminate('Finished');
  await demand.unsubscribe();
  return { agreementId: agreement.id, activityId: activity.id };
}

/** The amounts of the invoices devnet issued for an agreement, read over HTTP. */
export async function invoicesOf(node: GolemNode, agreementId: string): Promise<Decimal[]> {
  const all = await lastValueFrom(fromCall((signal) => node.api.payment.getInvoices({}, { signal })));
  return all.filter((invoice) => invoice.agreementId === agreementId).map((invoice) => invoice.amount);
}

/** The ids of the debit notes devnet issued for an agreement, read over HTTP. */
export async function debitNotesOf(node: GolemNode, agreementId: string): Promise<string[]> {
  const all = await lastValueFrom(fromCall((signal) => node.api.payment.getDebitNotes({}, { signal })));
  return all.filter((note) => note.agreementId === agreementId).map((note) => note.debitNoteId);
}

/** What the allocation's `spentAmount` says, read over HTTP. */
export async function spentFrom(node: GolemNode, allocation: Allocation): Promise<Decimal> {
  const data = await lastValueFrom(
    fromCall((signal) => node.api.payment.getAllocation(allocation.id, { signal })),
  );
  return data.spentAmount;
}

/** Σ of the amounts. */
export function sum(amounts: readonly Decimal[]): Decimal {
  return amounts.reduce((total, amount) => total.plus(amount), new Decimal(0));
}
