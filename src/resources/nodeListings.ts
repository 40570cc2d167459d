/**
 * The listings of everything under the node's app key, as Observables that put what they find
 * into the resource tree (fresh data, parents).
 *
 * @module
 */
import { type Observable, map } from 'rxjs';
import { fromCall } from '../rx/fromCall.js';
import type { Allocation } from './Allocation.js';
import type { DebitNote } from './DebitNote.js';
import type { Demand } from './Demand.js';
import type { ResourceNode } from './ResourceNode.js';
import type { Invoice } from './Invoice.js';

/** `GET /allocations`: every active allocation. */
export function listAllocations(node: ResourceNode): Observable<Allocation[]> {
  return fromCall((signal) => node.api.payment.getAllocations({}, { signal })).pipe(
    map((list) =>
      list.map((data) => {
        const allocation = node.allocation(data.allocationId);
        allocation.setData(data);
        return allocation;
      }),
    ),
  );
}

/** `GET /demands`: every active demand. */
export function listDemands(node: ResourceNode): Observable<Demand[]> {
  return fromCall((signal) => node.api.market.getDemands({ signal })).pipe(
    map((list) =>
      list.map((data) => {
        const demand = node.demand(data.demandId);
        demand.setData(data);
        return demand;
      }),
    ),
  );
}

/** `GET /invoices`: every invoice, attached to its agreement. */
export function listInvoices(node: ResourceNode): Observable<Invoice[]> {
  return fromCall((signal) => node.api.payment.getInvoices({}, { signal })).pipe(
    map((list) =>
      list.map((data) => {
        const invoice = node.invoice(data.invoiceId);
        invoice.setData(data);
        invoice.attachTo(node.agreement(data.agreementId));
        return invoice;
      }),
    ),
  );
}

/** `GET /debitNotes`: every debit note, attached to its activity. */
export function listDebitNotes(node: ResourceNode): Observable<DebitNote[]> {
  return fromCall((signal) => node.api.payment.getDebitNotes({}, { signal })).pipe(
    map((list) =>
      list.map((data) => {
        const debitNote = node.debitNote(data.debitNoteId);
        debitNote.setData(data);
        debitNote.attachTo(node.activity(data.activityId, data.agreementId));
        return debitNote;
      }),
    ),
  );
}
