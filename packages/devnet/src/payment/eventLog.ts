/**
 * The persistent payment event logs (`/debitNoteEvents`, `/invoiceEvents`): nothing is consumed,
 * clients read with an `afterTimestamp` cursor (strictly greater). The provider faults
 * `duplicatePaymentEvents` and `outOfOrderPaymentEvents` act here, when an event is logged.
 */
import { Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import type { DevnetContext } from '../contracts.js';
import { formatMicros } from '../clock.js';
import type { DevnetClock } from '../clock.js';

/** An event type without its `eventDate`, which the log adds when read (distributes over unions). */
export type Undated<T> = T extends unknown ? Omit<T, 'eventDate'> : never;

/** The kinds of `X-Requestor-Events` (yagna's `EventType` for the requestor role). */
export type PaymentEventKind =
  'RECEIVED' | 'ACCEPTED' | 'REJECTED' | 'CANCELLED' | 'SETTLED' | 'PAYMENT_EVENT' | 'PAYMENT_OK';

/** What a requestor gets without `X-Requestor-Events` (Real yagna). */
export const DEFAULT_REQUESTOR_KINDS: readonly PaymentEventKind[] = ['RECEIVED', 'CANCELLED'];

const KIND_BY_SUFFIX: readonly [string, PaymentEventKind][] = [
  ['ReceivedEvent', 'RECEIVED'],
  ['AcceptedEvent', 'ACCEPTED'],
  ['RejectedEvent', 'REJECTED'],
  ['CancelledEvent', 'CANCELLED'],
  ['SettledEvent', 'SETTLED'],
  ['PaymentStatusEvent', 'PAYMENT_EVENT'],
  ['PaymentOkEvent', 'PAYMENT_OK'],
];

/** The role kind of an event type (`DebitNoteAcceptedEvent` → `ACCEPTED`). */
export function kindOf(eventType: string): PaymentEventKind {
  return KIND_BY_SUFFIX.find(([suffix]) => eventType.endsWith(suffix))?.[1] ?? 'PAYMENT_EVENT';
}

/** Parses `X-Requestor-Events: RECEIVED,ACCEPTED,…`; the default kinds when absent or empty. */
export function requestedKinds(header: string | string[] | undefined): ReadonlySet<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const kinds = text
    .split(',')
    .map((k) => k.trim().toUpperCase())
    .filter((k) => k.length > 0);
  return new Set(kinds.length > 0 ? kinds : DEFAULT_REQUESTOR_KINDS);
}

interface Entry<E> {
  readonly micros: number;
  readonly event: E;
  readonly kind: PaymentEventKind;
  readonly appSessionId?: string;
}

/** Who an event is about, for the fault plan and the `appSessionId` filter. */
export interface EventOrigin {
  readonly provider: { id: string; name: string };
  readonly appSessionId?: string;
}

/** A query of the log. */
export interface EventQuery {
  readonly afterMicros?: number;
  readonly maxEvents?: number;
  readonly appSessionId?: string;
  readonly kinds: ReadonlySet<string>;
}

/** One persistent event log. `E` is the event without its `eventDate` (added when read). */
export class PaymentEventLog<E extends { eventType: string }> {
  private readonly entries: Entry<E>[] = [];
  private readonly appended = new Subject<void>();
  /** Emits after every append (wakes pending long-polls). */
  readonly appended$: Observable<void> = this.appended.asObservable();

  constructor(
    private readonly ctx: DevnetContext,
    private readonly clock: DevnetClock,
  ) {}

  /**
   * Logs an event now. `outOfOrderPaymentEvents` backdates it below the newest logged event (by
   * 1–500 ms), so it lands behind a cursor that already passed; `duplicatePaymentEvents` logs it
   * twice, with the same timestamp or the next one.
   */
  append(event: E, origin: EventOrigin): void {
    let micros = this.clock.stamp().micros;
    if (this.ctx.faults.providerHas('outOfOrderPaymentEvents', origin.provider) !== undefined) {
      const newest = this.entries.reduce((max, e) => Math.max(max, e.micros), micros);
      micros = newest - 1000 - Math.floor(this.ctx.random() * 499_000);
    }
    const entry: Entry<E> = {
      micros,
      event,
      kind: kindOf(event.eventType),
      appSessionId: origin.appSessionId,
    };
    this.entries.push(entry);
    if (this.ctx.faults.providerHas('duplicatePaymentEvents', origin.provider) !== undefined) {
      this.entries.push({ ...entry, micros: this.ctx.random() < 0.5 ? micros : this.clock.stamp().micros });
    }
    this.appended.next();
  }

  /** Events after the cursor (strictly), in log order, filtered and capped. */
  query(q: EventQuery): (E & { eventDate: string })[] {
    const out: (E & { eventDate: string })[] = [];
    for (const e of this.entries) {
      if (q.maxEvents !== undefined && out.length >= q.maxEvents) break;
      if (q.afterMicros !== undefined && e.micros <= q.afterMicros) continue;
      if (q.appSessionId !== undefined && e.appSessionId !== q.appSessionId) continue;
      if (!q.kinds.has(e.kind)) continue;
      out.push({ ...e.event, eventDate: formatMicros(e.micros) });
    }
    return out;
  }

  /** Number of logged entries (duplicates included). */
  get size(): number {
    return this.entries.length;
  }

  /** Ends the wake-up stream. */
  close(): void {
    this.appended.complete();
  }
}
