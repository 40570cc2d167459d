/**
 * What the requestor has accepted and paid: accepted amounts per activity (debit notes are
 * cumulative, so each acceptance charges only the delta), the payments devnet "sends" when
 * accepted documents come due, and the parsing of `Acceptance` bodies.
 */
import { Decimal } from 'decimal.js';
import { Subject, timer } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { PaymentDto } from 'golem-rx';
import type { DevnetContext } from '../contracts.js';
import { formatMicros } from '../clock.js';
import type { DevnetClock } from '../clock.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { newUuid } from '../activity/common/ids.js';
import { parseAmount, sum, wire } from './amounts.js';

/** A parsed `Acceptance` body. */
export interface Acceptance {
  readonly amount: Decimal;
  readonly allocationId: string;
}

/** Parses `{"totalAmountAccepted": "…", "allocationId": "…"}`; 400 when malformed. */
export function parseAcceptance(body: unknown): Acceptance {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DevnetHttpError(400, 'Acceptance body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const amount = parseAmount(input.totalAmountAccepted);
  if (amount === undefined) {
    throw new DevnetHttpError(
      400,
      `Invalid totalAmountAccepted: ${JSON.stringify(input.totalAmountAccepted)}`,
    );
  }
  if (typeof input.allocationId !== 'string' || input.allocationId === '') {
    throw new DevnetHttpError(400, 'allocationId is required');
  }
  return { amount, allocationId: input.allocationId };
}

/** Who a payment goes to and what it covers. */
export interface PaymentOrder {
  readonly providerId: string;
  readonly payeeAddr: string;
  readonly payerAddr: string;
  readonly platform: string;
  readonly amount: Decimal;
  readonly allocationId: string;
  readonly appSessionId?: string;
  readonly activityId?: string;
  readonly agreementId?: string;
}

interface PaymentEntry {
  readonly micros: number;
  readonly appSessionId?: string;
  readonly dto: PaymentDto;
}

/** Accepted totals and payments of devnet's requestor. */
export class PaymentLedger {
  private readonly acceptedByActivity = new Map<string, { agreementId: string; accepted: Decimal }>();
  private readonly payments: PaymentEntry[] = [];
  private readonly timers = new Set<Subscription>();
  private readonly paid = new Subject<void>();
  /** Emits after every payment (wakes `/payments` long-polls). */
  readonly paid$: Observable<void> = this.paid.asObservable();

  constructor(
    private readonly ctx: DevnetContext,
    private readonly clock: DevnetClock,
    /** Delay between acceptance and settlement of a payable document, on the devnet scheduler. */
    private readonly settleDelayMs: number,
  ) {}

  /** Total accepted so far for an activity (the last accepted debit note's amount). */
  acceptedForActivity(activityId: string): Decimal {
    return this.acceptedByActivity.get(activityId)?.accepted ?? new Decimal(0);
  }

  /** Total accepted so far through debit notes of an agreement's activities. */
  acceptedForAgreement(agreementId: string): Decimal {
    return sum(
      [...this.acceptedByActivity.values()]
        .filter((a) => a.agreementId === agreementId)
        .map((a) => a.accepted),
    );
  }

  /** Raises the accepted total of an activity (never lowers it). */
  recordActivity(activityId: string, agreementId: string, total: Decimal): void {
    const current = this.acceptedForActivity(activityId);
    this.acceptedByActivity.set(activityId, { agreementId, accepted: Decimal.max(current, total) });
  }

  /** Σ accepted through debit notes, over all activities. */
  totalAcceptedByDebitNotes(): Decimal {
    return sum([...this.acceptedByActivity.values()].map((a) => a.accepted));
  }

  /** Settles after the settle delay: runs `onSettled` and, for a positive amount, records a payment. */
  schedule(order: PaymentOrder, onSettled: () => void): void {
    const sub = timer(this.settleDelayMs, this.ctx.scheduler).subscribe(() => {
      this.timers.delete(sub);
      if (order.amount.gt(0)) this.record(order);
      onSettled();
    });
    this.timers.add(sub);
  }

  /** `GET /payments`: payments after the cursor, filtered. */
  query(q: {
    afterMicros?: number;
    maxEvents?: number;
    appSessionId?: string;
    network?: string;
    driver?: string;
  }): PaymentDto[] {
    return this.payments
      .filter(
        (p) =>
          (q.afterMicros === undefined || p.micros > q.afterMicros) &&
          (q.appSessionId === undefined || p.appSessionId === q.appSessionId) &&
          (q.driver === undefined || p.dto.paymentPlatform.startsWith(`${q.driver.toLowerCase()}-`)) &&
          (q.network === undefined || p.dto.paymentPlatform.split('-')[1] === q.network.toLowerCase()),
      )
      .slice(0, q.maxEvents)
      .map((p) => p.dto);
  }

  /** `GET /payments/{id}`. */
  get(paymentId: string): PaymentDto | undefined {
    return this.payments.find((p) => p.dto.paymentId === paymentId)?.dto;
  }

  /** Count and Σ of payments made. */
  stats(): { count: number; amount: string } {
    return {
      count: this.payments.length,
      amount: wire(sum(this.payments.map((p) => new Decimal(p.dto.amount)))),
    };
  }

  /** Cancels pending settlements and ends the wake-up stream. */
  close(): void {
    for (const t of this.timers) t.unsubscribe();
    this.timers.clear();
    this.paid.complete();
  }

  private record(order: PaymentOrder): void {
    const micros = this.clock.stamp().micros;
    const amount = wire(order.amount);
    const share = { amount, allocationId: order.allocationId };
    this.payments.push({
      micros,
      appSessionId: order.appSessionId,
      dto: {
        paymentId: newUuid(this.ctx.random),
        payerId: this.ctx.requestorId,
        payeeId: order.providerId,
        payerAddr: order.payerAddr,
        payeeAddr: order.payeeAddr,
        paymentPlatform: order.platform,
        amount,
        timestamp: formatMicros(micros),
        agreementPayments:
          order.agreementId === undefined ? [] : [{ agreementId: order.agreementId, ...share }],
        activityPayments: order.activityId === undefined ? [] : [{ activityId: order.activityId, ...share }],
        // yagna sends `details` base64-encoded (`format: byte` in the spec).
        details: Buffer.from(`devnet simulated transfer of ${amount} on ${order.platform}`).toString(
          'base64',
        ),
      },
    });
    this.paid.next();
  }
}
