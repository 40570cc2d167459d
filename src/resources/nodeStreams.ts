/**
 * The node-wide long-polls (agreement events, invoices, debit notes) as hot Observables that put
 * what they learn into the resource tree.
 *
 * @internal
 * @module
 */
import { EMPTY, type Observable, concatMap, map, of, share, takeUntil } from 'rxjs';
import type { DebitNoteEventData, InvoiceEventData } from '../api/index.js';
import type { AgreementEventDto } from '../api/types/index.js';
import { ResourceChangePossible, SourceHealthChanged } from '../bus/events.js';
import type { SourceHealth } from '../sources/health.js';
import { persistentLogSource } from '../sources/persistentLogSource.js';
import type { Agreement } from './Agreement.js';
import type { DebitNote } from './DebitNote.js';
import type { GolemNode } from './GolemNode.js';
import type { Invoice } from './Invoice.js';

/** One agreement event, with the agreement it is about (already updated). */
export interface AgreementEvent {
  /** The agreement (its `events`, `approved` and `closed` already reflect the event). */
  readonly agreement: Agreement;
  /** The raw yagna event. */
  readonly event: AgreementEventDto;
}

const MAX_EVENTS = 100;
const SHARE = { resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true } as const;

/** The name, health reporting and poll tuning every node-wide source gets. */
function health(node: GolemNode, name: string) {
  return {
    name,
    onHealth: (health: SourceHealth) => node.events.emit(new SourceHealthChanged(name, health)),
    ...node.config.poll,
  };
}

/**
 * `GET /agreementEvents` for the node's `appSessionId`, from the start of the session. Each event
 * is recorded on its agreement, which is marked approved or closed accordingly.
 */
export function agreementEventsOf(node: GolemNode): Observable<AgreementEvent> {
  return persistentLogSource<AgreementEventDto>({
    ...health(node, 'agreementEvents'),
    fetchBatch: (afterTimestamp, signal) =>
      node.api.market.collectAgreementEvents(
        {
          afterTimestamp,
          timeout: node.config.pollTimeoutSec,
          maxEvents: MAX_EVENTS,
          appSessionId: node.appSessionId,
        },
        { signal },
      ),
  }).events$.pipe(
    map((event) => {
      const agreement = node.agreement(event.agreementId);
      agreement.recordEvent(event);
      if (event.eventType === 'AgreementApprovedEvent') agreement.markApproved();
      else agreement.markClosed();
      return { agreement, event };
    }),
    takeUntil(node.stopping$),
    share(SHARE),
  );
}

/**
 * `GET /invoiceEvents` for the node's `appSessionId`. Emits each invoice once, when it is first
 * received: fetched, attached to its agreement (`ResourceChangePossible` for the agreement).
 * A cancelled invoice is closed; other events emit `ResourceChangePossible` for the invoice.
 */
export function invoicesOf(node: GolemNode): Observable<Invoice> {
  const announced = new WeakSet<Invoice>();
  return persistentLogSource<InvoiceEventData>({
    ...health(node, 'invoiceEvents'),
    fetchBatch: (afterTimestamp, signal) =>
      node.api.payment.getInvoiceEvents(
        {
          afterTimestamp,
          timeout: node.config.pollTimeoutSec,
          maxEvents: MAX_EVENTS,
          appSessionId: node.appSessionId,
        },
        { signal },
      ),
  }).events$.pipe(
    concatMap((event) => {
      const invoice = node.invoice(event.invoiceId);
      invoice.recordEvent(event);
      if (event.eventType === 'InvoiceCancelledEvent') invoice.markClosed();
      if (event.eventType !== 'InvoiceReceivedEvent') {
        node.events.emit(new ResourceChangePossible(invoice));
        return EMPTY;
      }
      if (announced.has(invoice)) return EMPTY;
      announced.add(invoice);
      return invoice.ensureData$().pipe(
        concatMap((data) => {
          const agreement = node.agreement(data.agreementId);
          invoice.attachTo(agreement);
          node.events.emit(new ResourceChangePossible(agreement));
          return of(invoice);
        }),
      );
    }),
    takeUntil(node.stopping$),
    share(SHARE),
  );
}

/**
 * `GET /debitNoteEvents` for the node's `appSessionId`. Emits each debit note once, when it is
 * first received: fetched, attached to its activity (`ResourceChangePossible` for the activity
 * and the agreement). A cancelled debit note is closed.
 */
export function debitNotesOf(node: GolemNode): Observable<DebitNote> {
  const announced = new WeakSet<DebitNote>();
  return persistentLogSource<DebitNoteEventData>({
    ...health(node, 'debitNoteEvents'),
    fetchBatch: (afterTimestamp, signal) =>
      node.api.payment.getDebitNoteEvents(
        {
          afterTimestamp,
          timeout: node.config.pollTimeoutSec,
          maxEvents: MAX_EVENTS,
          appSessionId: node.appSessionId,
        },
        { signal },
      ),
  }).events$.pipe(
    concatMap((event) => {
      const debitNote = node.debitNote(event.debitNoteId);
      debitNote.recordEvent(event);
      if (event.eventType === 'DebitNoteCancelledEvent') debitNote.markClosed();
      if (event.eventType !== 'DebitNoteReceivedEvent') {
        node.events.emit(new ResourceChangePossible(debitNote));
        return EMPTY;
      }
      if (announced.has(debitNote)) return EMPTY;
      announced.add(debitNote);
      return debitNote.ensureData$().pipe(
        concatMap((data) => {
          const activity = node.activity(data.activityId, data.agreementId);
          debitNote.attachTo(activity);
          node.events.emit(new ResourceChangePossible(activity));
          node.events.emit(new ResourceChangePossible(activity.agreement));
          return of(debitNote);
        }),
      );
    }),
    takeUntil(node.stopping$),
    share(SHARE),
  );
}
