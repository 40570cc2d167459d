/**
 * The node-wide long-polls (agreement events, invoices, debit notes) as hot Observables that put
 * what they learn into the resource tree.
 *
 * @module
 */
import { EMPTY, type Observable, concatMap, map, of, share, takeUntil } from 'rxjs';
import type {
  DebitNoteData,
  DebitNoteEventData,
  InvoiceData,
  InvoiceEventData,
  PaymentEventParams,
} from '../api/index.js';
import type { AgreementEventDto } from '../api/types/index.js';
import { ResourceChangePossible, SourceHealthChanged } from '../bus/events.js';
import type { SourceHealth } from '../sources/health.js';
import { persistentLogSource } from '../sources/persistentLogSource.js';
import type { CallResult } from '../rx/fromCall.js';
import type { Agreement } from './Agreement.js';
import type { DebitNote } from './DebitNote.js';
import type { ResourceNode } from './ResourceNode.js';
import type { Invoice } from './Invoice.js';
import type { Resource } from './Resource.js';

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
function health(node: ResourceNode, name: string) {
  return {
    name,
    onHealth: (health: SourceHealth) => node.events.emit(new SourceHealthChanged(name, health)),
    ...node.config.poll,
  };
}

/**
 * The query every node-wide long-poll sends: the cursor, the node's poll timeout, at most
 * `MAX_EVENTS` a batch, only the node's `appSessionId`.
 */
function sessionQuery(node: ResourceNode, afterTimestamp: string | undefined) {
  return {
    afterTimestamp,
    timeout: node.config.pollTimeoutSec,
    maxEvents: MAX_EVENTS,
    appSessionId: node.appSessionId,
  };
}

/**
 * `GET /agreementEvents` for the node's `appSessionId`, from the start of the session. Each event
 * is recorded on its agreement, which is marked approved or closed accordingly.
 */
export function agreementEventsOf(node: ResourceNode): Observable<AgreementEvent> {
  return persistentLogSource<AgreementEventDto>({
    ...health(node, 'agreementEvents'),
    fetchBatch: (afterTimestamp, signal) =>
      node.api.market.collectAgreementEvents(sessionQuery(node, afterTimestamp), { signal }),
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

/** What tells the invoice stream and the debit-note stream apart (see {@link paymentDocumentsOf}). */
interface PaymentDocumentStream<D, E extends PaymentDocumentEvent, R extends Resource<D, E>> {
  /** The source's name (for health events). */
  readonly name: string;
  /** The long-poll call, e.g. `getInvoiceEvents`. */
  readonly fetchBatch: (query: PaymentEventParams, signal: AbortSignal) => CallResult<readonly E[]>;
  /** The document an event is about (from the node's identity map). */
  readonly documentOf: (event: E) => R;
  /** The event type that closes the document. */
  readonly cancelled: E['eventType'];
  /** The event type that announces the document. */
  readonly received: E['eventType'];
  /** Attaches the document to its parent, given its data; returns what to announce as changed. */
  readonly attach: (document: R, data: D) => readonly Resource[];
}

/** The part of a payment event the document streams read. */
interface PaymentDocumentEvent {
  readonly eventDate: string;
  readonly eventType: string;
}

/**
 * A node-wide payment-document long-poll (for the node's `appSessionId`). Emits each document
 * once, when it is first received: fetched, attached to its parent (`ResourceChangePossible` for
 * what `stream.attach` returns). A cancelled document is closed; events other than the received
 * one emit `ResourceChangePossible` for the document. Completes when `close()` has finished
 * (after the settlement of the node's agreements, which needs the invoices).
 */
function paymentDocumentsOf<D, E extends PaymentDocumentEvent, R extends Resource<D, E>>(
  node: ResourceNode,
  stream: PaymentDocumentStream<D, E, R>,
): Observable<R> {
  const announced = new WeakSet<R>();
  return persistentLogSource<E>({
    ...health(node, stream.name),
    fetchBatch: (afterTimestamp, signal) => stream.fetchBatch(sessionQuery(node, afterTimestamp), signal),
  }).events$.pipe(
    concatMap((event) => {
      const document = stream.documentOf(event);
      document.recordEvent(event);
      if (event.eventType === stream.cancelled) document.markClosed();
      if (event.eventType !== stream.received) {
        node.events.emit(new ResourceChangePossible(document));
        return EMPTY;
      }
      if (announced.has(document)) return EMPTY;
      announced.add(document);
      return document.ensureData$().pipe(
        concatMap((data) => {
          for (const changed of stream.attach(document, data))
            node.events.emit(new ResourceChangePossible(changed));
          return of(document);
        }),
      );
    }),
    // Not at `stopping$`: `close()` settles the agreements (waits for their invoices) after it began.
    takeUntil(node.stopped$),
    share(SHARE),
  );
}

/**
 * `GET /invoiceEvents` for the node's `appSessionId`. Emits each invoice once, when it is first
 * received: fetched, attached to its agreement (`ResourceChangePossible` for the agreement).
 * A cancelled invoice is closed; other events emit `ResourceChangePossible` for the invoice.
 */
export function invoicesOf(node: ResourceNode): Observable<Invoice> {
  return paymentDocumentsOf<InvoiceData, InvoiceEventData, Invoice>(node, {
    name: 'invoiceEvents',
    fetchBatch: (query, signal) => node.api.payment.getInvoiceEvents(query, { signal }),
    documentOf: (event) => node.invoice(event.invoiceId),
    cancelled: 'InvoiceCancelledEvent',
    received: 'InvoiceReceivedEvent',
    attach: (invoice, data) => {
      const agreement = node.agreement(data.agreementId);
      invoice.attachTo(agreement);
      return [agreement];
    },
  });
}

/**
 * `GET /debitNoteEvents` for the node's `appSessionId`. Emits each debit note once, when it is
 * first received: fetched, attached to its activity (`ResourceChangePossible` for the activity
 * and the agreement). A cancelled debit note is closed.
 */
export function debitNotesOf(node: ResourceNode): Observable<DebitNote> {
  return paymentDocumentsOf<DebitNoteData, DebitNoteEventData, DebitNote>(node, {
    name: 'debitNoteEvents',
    fetchBatch: (query, signal) => node.api.payment.getDebitNoteEvents(query, { signal }),
    documentOf: (event) => node.debitNote(event.debitNoteId),
    cancelled: 'DebitNoteCancelledEvent',
    received: 'DebitNoteReceivedEvent',
    attach: (debitNote, data) => {
      const activity = node.activity(data.activityId, data.agreementId);
      debitNote.attachTo(activity);
      return [activity, activity.agreement];
    },
  });
}
