/**
 * How yagna's objects are shown: the columns and cells of allocations, demands, invoices and
 * providers. `--json` prints yagna's objects themselves (amounts as decimal strings), except for
 * providers, whose JSON is the {@link ProviderView}.
 */
import { Decimal } from 'decimal.js';
import type { AllocationData, InvoiceData } from 'golem-rx';
import type { DemandDto, ProposalDto } from 'golem-rx';
import type { Column, StreamColumn } from './output.js';

/** `2024-05-28 15:00:01Z` from an RFC 3339 timestamp (left as is when it does not parse). */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** An amount in plain decimal notation, never with an exponent. */
export function formatAmount(amount: Decimal): string {
  return amount.toFixed();
}

/** `erc20-holesky-tglm` → driver `erc20`, network `holesky`, token `tglm`. */
export function splitPlatform(platform: string): { driver: string; network: string; token: string } {
  const parts = platform.split('-');
  if (parts.length < 3) return { driver: parts[0] ?? platform, network: parts[1] ?? '-', token: '-' };
  return {
    driver: parts[0] ?? '',
    network: parts.slice(1, -1).join('-'),
    token: parts[parts.length - 1] ?? '',
  };
}

/** Columns of an allocation table. */
export const ALLOCATION_COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'ADDRESS' },
  { header: 'NETWORK' },
  { header: 'DRIVER' },
  { header: 'TOTAL', align: 'right' },
  { header: 'REMAINING', align: 'right' },
  { header: 'EXPIRES' },
];

/** The cells of an allocation. */
export function allocationRow(a: AllocationData): string[] {
  const { driver, network } = splitPlatform(a.paymentPlatform);
  return [
    a.allocationId,
    a.address,
    network,
    driver,
    formatAmount(a.totalAmount),
    formatAmount(a.remainingAmount),
    a.timeout === undefined ? 'never' : formatTime(a.timeout),
  ];
}

/** The property `key` of a demand or offer (flat convention), or `undefined`. */
export function property(properties: Readonly<Record<string, unknown>>, key: string): unknown {
  return properties[key];
}

/** The expiry a demand announces (`golem.srv.comp.expiration`, ms since epoch), if any. */
export function demandExpiry(demand: DemandDto): Date | undefined {
  const value = property(demand.properties, 'golem.srv.comp.expiration');
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** Columns of a demand table. */
export const DEMAND_COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'SUBNET' },
  { header: 'CREATED' },
  { header: 'EXPIRES' },
];

/** The cells of a demand. */
export function demandRow(d: DemandDto): string[] {
  const subnet = property(d.properties, 'golem.node.debug.subnet');
  const expiry = demandExpiry(d);
  return [
    d.demandId,
    typeof subnet === 'string' ? subnet : '-',
    formatTime(d.timestamp),
    expiry === undefined ? '-' : formatTime(expiry.toISOString()),
  ];
}

/** Columns of an invoice table. */
export const INVOICE_COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'ISSUER' },
  { header: 'AGREEMENT' },
  { header: 'AMOUNT', align: 'right' },
  { header: 'PLATFORM' },
  { header: 'STATUS' },
  { header: 'ISSUED' },
  { header: 'DUE' },
];

/** The cells of an invoice. */
export function invoiceRow(i: InvoiceData): string[] {
  return [
    i.invoiceId,
    i.issuerId,
    i.agreementId,
    formatAmount(i.amount),
    i.paymentPlatform,
    i.status,
    formatTime(i.timestamp),
    formatTime(i.paymentDueDate),
  ];
}

/** A provider as `find-node` shows it (and prints it with `--json`, one object a line). */
export interface ProviderView {
  readonly providerId: string;
  readonly name: string;
  readonly proposalId: string;
  readonly runtime: string;
  readonly arch: string;
  readonly cores: number | null;
  readonly threads: number | null;
  readonly memoryGib: number | null;
  readonly storageGib: number | null;
  /** Linear pricing in GLM: the start fee, per CPU hour, per hour of the environment (`null` when not offered). */
  readonly prices: {
    readonly start: Decimal | null;
    readonly cpuPerHour: Decimal | null;
    readonly envPerHour: Decimal | null;
  };
}

const CPU_USAGE = new Set(['golem.usage.cpu_sec', 'golem.usage.cpu-sec']);
const DURATION_USAGE = new Set(['golem.usage.duration_sec', 'golem.usage.duration-sec']);

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '-';
}

function prices(props: Readonly<Record<string, unknown>>): ProviderView['prices'] {
  const coeffs = props['golem.com.pricing.model.linear.coeffs'];
  const usage = props['golem.com.usage.vector'];
  const none = { start: null, cpuPerHour: null, envPerHour: null };
  if (!Array.isArray(coeffs) || !coeffs.every((c) => typeof c === 'number' && Number.isFinite(c)))
    return none;
  const values = coeffs as number[];
  const names = Array.isArray(usage) ? usage : [];
  const perHour = (set: ReadonlySet<string>): Decimal | null => {
    const index = names.findIndex((n) => typeof n === 'string' && set.has(n));
    const coeff = index < 0 || index >= values.length - 1 ? undefined : values[index];
    return coeff === undefined ? null : new Decimal(coeff).times(3600).toSignificantDigits(6);
  };
  const last = values[values.length - 1];
  return {
    start: last === undefined ? null : new Decimal(last).toSignificantDigits(6),
    cpuPerHour: perHour(CPU_USAGE),
    envPerHour: perHour(DURATION_USAGE),
  };
}

/** Reads a provider's offer proposal. */
export function providerView(proposal: ProposalDto): ProviderView {
  const p = proposal.properties;
  return {
    providerId: proposal.issuerId,
    name: str(p['golem.node.id.name']),
    proposalId: proposal.proposalId,
    runtime: str(p['golem.runtime.name']),
    arch: str(p['golem.inf.cpu.architecture']),
    cores: num(p['golem.inf.cpu.cores']),
    threads: num(p['golem.inf.cpu.threads']),
    memoryGib: num(p['golem.inf.mem.gib']),
    storageGib: num(p['golem.inf.storage.gib']),
    prices: prices(p),
  };
}

/** Columns of the `find-node` stream. */
export const PROVIDER_COLUMNS: readonly StreamColumn[] = [
  { header: 'ID', width: 42 },
  { header: 'NAME', width: 20 },
  { header: 'ARCH', width: 7 },
  { header: 'CORES', width: 5, align: 'right' },
  { header: 'THREADS', width: 7, align: 'right' },
  { header: 'MEM GiB', width: 7, align: 'right' },
  { header: 'DISK GiB', width: 8, align: 'right' },
  { header: 'START', width: 9, align: 'right' },
  { header: 'CPU/H', width: 9, align: 'right' },
  { header: 'ENV/H', width: 9, align: 'right' },
];

/** The cells of a provider. */
export function providerRow(v: ProviderView): string[] {
  const n = (x: number | null, digits = 0): string => (x === null ? '-' : x.toFixed(digits));
  const d = (x: Decimal | null): string => (x === null ? '-' : formatAmount(x));
  return [
    v.providerId,
    v.name,
    v.arch,
    n(v.cores),
    n(v.threads),
    n(v.memoryGib, 1),
    n(v.storageGib, 1),
    d(v.prices.start),
    d(v.prices.cpuPerHour),
    d(v.prices.envPerHour),
  ];
}
