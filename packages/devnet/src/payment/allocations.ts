/**
 * Devnet's allocations: reservations of the requestor's funds on one platform, checked against the
 * account balance, amended, released (by request or when their `timeout` passes on the devnet
 * scheduler) and charged when debit notes and invoices are accepted against them.
 */
import { Decimal } from 'decimal.js';
import { timer } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { AllocationDto } from 'golem-rx';
import type { DevnetContext } from '../contracts.js';
import { DevnetClock, formatMicros, parseRfc3339Micros } from '../clock.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { nullMessageError } from '../activity/common/http.js';
import { newUuid } from '../activity/common/ids.js';
import { resolvePlatform } from './accounts.js';
import { parseAmount, sum, wire } from './amounts.js';

interface AllocationRecord {
  readonly id: string;
  readonly address: string;
  readonly platform: string;
  total: Decimal;
  spent: Decimal;
  readonly createdMicros: number;
  updatedMicros: number;
  timeoutMicros?: number;
  readonly makeDeposit: boolean;
  readonly extendTimeout?: number;
  readonly deposit?: AllocationDto['deposit'];
  released: boolean;
  expiry?: Subscription;
}

/** Totals of the active allocations, for `GET /_devnet/stats`. */
export interface AllocationStats {
  readonly active: number;
  readonly released: number;
  readonly total: string;
  readonly spent: string;
  readonly remaining: string;
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DevnetHttpError(400, 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function timeoutOf(value: unknown, nowMicros: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const micros = typeof value === 'string' ? parseRfc3339Micros(value) : undefined;
  if (micros === undefined)
    throw new DevnetHttpError(400, `Invalid allocation timeout: ${JSON.stringify(value)}`);
  if (micros <= nowMicros)
    throw new DevnetHttpError(400, `Allocation timeout ${JSON.stringify(value)} is in the past`);
  return micros;
}

/** The allocations of devnet's single requestor. */
export class AllocationBook {
  private readonly records = new Map<string, AllocationRecord>();
  private readonly clock: DevnetClock;

  constructor(
    private readonly ctx: DevnetContext,
    private readonly balances: ReadonlyMap<string, Decimal>,
  ) {
    this.clock = new DevnetClock(ctx.scheduler);
  }

  /** Funds of a platform not yet reserved by active allocations nor spent by released ones. */
  available(platform: string): Decimal {
    const committed = sum(
      [...this.records.values()]
        .filter((r) => r.platform === platform)
        .map((r) => (r.released ? r.spent : r.total)),
    );
    return (this.balances.get(platform) ?? new Decimal(0)).minus(committed);
  }

  /** `POST /allocations` */
  create(body: unknown): AllocationDto {
    const input = asObject(body);
    const total = parseAmount(input.totalAmount);
    if (total === undefined || total.lte(0)) {
      throw new DevnetHttpError(
        400,
        `totalAmount must be a positive decimal string, got ${JSON.stringify(input.totalAmount)}`,
      );
    }
    const platform = resolvePlatform(input.paymentPlatform);
    const address =
      input.address === undefined || input.address === null || input.address === ''
        ? this.ctx.requestorId
        : input.address;
    if (typeof address !== 'string' || address.toLowerCase() !== this.ctx.requestorId.toLowerCase()) {
      throw new DevnetHttpError(
        400,
        `Account ${JSON.stringify(address)} is not registered for platform ${platform.platform}`,
      );
    }
    const now = this.clock.stamp().micros;
    const timeoutMicros = timeoutOf(input.timeout, now);
    const available = this.available(platform.platform);
    if (total.gt(available)) {
      throw new DevnetHttpError(
        400,
        `Insufficient funds to make allocation. Top up your account or release all existing allocations to unlock the funds. Available: ${wire(available)} Requested: ${wire(total)} (${platform.platform})`,
      );
    }
    const extend = typeof input.extendTimeout === 'number' ? input.extendTimeout : undefined;
    const record: AllocationRecord = {
      id: newUuid(this.ctx.random),
      address: this.ctx.requestorId,
      platform: platform.platform,
      total,
      spent: new Decimal(0),
      createdMicros: now,
      updatedMicros: now,
      timeoutMicros,
      makeDeposit: input.makeDeposit === true,
      extendTimeout: extend,
      deposit:
        typeof input.deposit === 'object' && input.deposit !== null
          ? (input.deposit as AllocationDto['deposit'])
          : undefined,
      released: false,
    };
    this.records.set(record.id, record);
    this.scheduleExpiry(record);
    return this.toDto(record);
  }

  /** `GET /allocations`: active allocations created after `afterMicros`, at most `maxItems`. */
  list(afterMicros: number | undefined, maxItems: number | undefined): AllocationDto[] {
    const active = [...this.records.values()].filter(
      (r) => !r.released && (afterMicros === undefined || r.createdMicros > afterMicros),
    );
    return active.slice(0, maxItems ?? active.length).map((r) => this.toDto(r));
  }

  /** `GET /allocations/{id}`: 404 unknown, 410 released. */
  get(id: string): AllocationDto {
    return this.toDto(this.active(id));
  }

  /** `PUT /allocations/{id}`: new total ≥ spent and within funds; timeout in the future. */
  amend(id: string, body: unknown): AllocationDto {
    const record = this.active(id);
    const input = asObject(body);
    const now = this.clock.stamp().micros;
    let total = record.total;
    if (input.totalAmount !== undefined && input.totalAmount !== null) {
      const parsed = parseAmount(input.totalAmount);
      if (parsed === undefined || parsed.lte(0)) {
        throw new DevnetHttpError(
          400,
          `totalAmount must be a positive decimal string, got ${JSON.stringify(input.totalAmount)}`,
        );
      }
      if (parsed.lt(record.spent)) {
        throw new DevnetHttpError(
          400,
          `New total ${wire(parsed)} is lower than the amount already spent ${wire(record.spent)}`,
        );
      }
      const available = this.available(record.platform).plus(record.total);
      if (parsed.gt(available)) {
        throw new DevnetHttpError(
          400,
          `Insufficient funds to amend allocation. Available: ${wire(available)} Requested: ${wire(parsed)}`,
        );
      }
      total = parsed;
    }
    const timeoutMicros = input.timeout === undefined ? record.timeoutMicros : timeoutOf(input.timeout, now);
    record.total = total;
    record.timeoutMicros = timeoutMicros;
    record.updatedMicros = now;
    this.scheduleExpiry(record);
    return this.toDto(record);
  }

  /** `DELETE /allocations/{id}`: 404 unknown, 410 already released. */
  release(id: string): void {
    const record = this.active(id);
    record.released = true;
    record.updatedMicros = this.clock.stamp().micros;
    record.expiry?.unsubscribe();
  }

  /** An allocation that documents are accepted against: 400 unknown (Real), 410 released. */
  forAcceptance(id: string): { remaining: Decimal; platform: string; address: string } {
    const record = this.records.get(id);
    if (record === undefined) throw new DevnetHttpError(400, `Allocation ${id} not found`);
    if (record.released) throw new DevnetHttpError(410, `Allocation ${id} has been already released`);
    return {
      remaining: record.total.minus(record.spent),
      platform: record.platform,
      address: record.address,
    };
  }

  /** Adds an accepted amount to the allocation's `spentAmount`. */
  charge(id: string, amount: Decimal): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    record.spent = record.spent.plus(amount);
    record.updatedMicros = this.clock.stamp().micros;
  }

  /** Known allocation ids among `ids`, or the first unknown or released one. */
  findUnusable(ids: readonly string[]): string | undefined {
    return ids.find((id) => {
      const r = this.records.get(id);
      return r === undefined || r.released;
    });
  }

  /** The DTO of an allocation, released or not (demand decorations). */
  peek(id: string): AllocationDto | undefined {
    const r = this.records.get(id);
    return r === undefined ? undefined : this.toDto(r);
  }

  /** Counters for the stats page. */
  stats(): AllocationStats {
    const all = [...this.records.values()];
    const active = all.filter((r) => !r.released);
    const total = sum(active.map((r) => r.total));
    const spent = sum(active.map((r) => r.spent));
    return {
      active: active.length,
      released: all.length - active.length,
      total: wire(total),
      spent: wire(spent),
      remaining: wire(total.minus(spent)),
    };
  }

  /** Stops the expiry timers. */
  close(): void {
    for (const r of this.records.values()) r.expiry?.unsubscribe();
  }

  private active(id: string): AllocationRecord {
    const record = this.records.get(id);
    if (record === undefined) throw nullMessageError(404);
    if (record.released) throw new DevnetHttpError(410, `Allocation ${id} has been already released`);
    return record;
  }

  private scheduleExpiry(record: AllocationRecord): void {
    record.expiry?.unsubscribe();
    record.expiry = undefined;
    if (record.timeoutMicros === undefined) return;
    const delayMs = Math.max(0, (record.timeoutMicros - this.clock.stamp().micros) / 1000);
    record.expiry = timer(delayMs, this.ctx.scheduler).subscribe(() => {
      record.released = true;
      record.updatedMicros = this.clock.stamp().micros;
    });
  }

  private toDto(r: AllocationRecord): AllocationDto {
    const dto: AllocationDto = {
      allocationId: r.id,
      address: r.address,
      paymentPlatform: r.platform,
      totalAmount: wire(r.total),
      spentAmount: wire(r.spent),
      remainingAmount: wire(r.total.minus(r.spent)),
      timestamp: formatMicros(r.createdMicros),
      createdTs: formatMicros(r.createdMicros),
      updatedTs: formatMicros(r.updatedMicros),
      makeDeposit: r.makeDeposit,
    };
    if (r.timeoutMicros !== undefined) dto.timeout = formatMicros(r.timeoutMicros);
    if (r.extendTimeout !== undefined) dto.extendTimeout = r.extendTimeout;
    if (r.deposit !== undefined) dto.deposit = r.deposit;
    return dto;
  }
}
