/**
 * The price checks of `acceptPayments`, pure functions of a document, its agreement's terms, the
 * usage the provider reported and the time (docs/payments.md states them):
 *
 * - the cost of an activity is the agreed linear price of the usage reported for it:
 *   `start + Σ coeff_i × usage_i` (the start price once per activity);
 * - a **debit note** may not exceed the cost of its own usage counters (`usageCounterVector`);
 * - an **invoice** may not exceed the sum over its activities of the cost of the last usage
 *   reported for each (the highest of every debit note's counters and the activity's usage);
 * - reported counters may not exceed what the time since approval allows (duration ≤ elapsed,
 *   CPU seconds ≤ elapsed × threads): `usage` otherwise;
 * - without any usage reported for an activity, the price of that time bound is its cost (or it
 *   is `unverifiable`, with `unreportedUsage: 'refuse'` or a billed counter without a bound);
 *
 * each with grace: `limit = cost × (1 + ratio) + amount`; the time bound also allows `clockSkew`.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import {
  type LinearPricing,
  USAGE,
  canonicalUsageName,
  floatToDecimal,
  linearCost,
  tryLinearPricing,
} from '../../api/pricing.js';
import type { OverPriceReason, PayableAgreementTerms, PayableDocument } from '../../ports/index.js';

/** The tolerance of the checks. */
export interface PaymentGrace {
  /** Relative: `0.01` allows 1% over the limit. */
  readonly ratio: Decimal;
  /** Absolute, in GLM. */
  readonly amount: Decimal;
}

/** What is done with an activity for which the provider reported no usage. */
export type UnreportedUsage = 'bound' | 'refuse';

/** When and how leniently a document is checked. */
export interface CheckContext {
  /** The scheduler's now, ms since the epoch. */
  readonly now: number;
  /** Added to the time since approval, ms. */
  readonly clockSkew: number;
  readonly grace: PaymentGrace;
  readonly unreported: UnreportedUsage;
}

/** The outcome of a check. */
export type Verdict =
  | { readonly ok: true; readonly limit: Decimal }
  | { readonly ok: false; readonly reason: OverPriceReason; readonly limit: Decimal | undefined };

/** The outcome of a debit note's check, with its counters when they are sound (to check the invoice). */
export type DebitNoteVerdict = Verdict & { readonly usage?: readonly Decimal[] };

const CPU = canonicalUsageName(USAGE.cpuSec);
const DURATION = canonicalUsageName(USAGE.durationSec);
const THREADS = 'golem.inf.cpu.threads';
const UNVERIFIABLE: Verdict = { ok: false, reason: 'unverifiable', limit: undefined };
const MALFORMED: Verdict = { ok: false, reason: 'usage', limit: undefined };

function withGrace(value: Decimal, grace: PaymentGrace): Decimal {
  return value.times(grace.ratio.plus(1)).plus(grace.amount);
}

function judge(amount: Decimal, cost: Decimal, grace: PaymentGrace): Verdict {
  const limit = withGrace(cost, grace);
  return amount.greaterThan(limit) ? { ok: false, reason: 'price', limit } : { ok: true, limit };
}

/**
 * The most each counter can have reached by now, per activity: `undefined` when it has no bound
 * (no approval time, an unknown counter, or no thread count for CPU seconds).
 */
export function usageBounds(
  pricing: LinearPricing,
  terms: PayableAgreementTerms,
  context: CheckContext,
): (Decimal | undefined)[] {
  const { approvedAt } = terms;
  if (approvedAt === undefined) return pricing.usageVector.map(() => undefined);
  const elapsed = new Decimal(Math.max(0, context.now - approvedAt + context.clockSkew)).div(1000);
  const rawThreads = terms.properties[THREADS];
  const threads =
    typeof rawThreads === 'number' && Number.isInteger(rawThreads) && rawThreads > 0 ? rawThreads : undefined;
  return pricing.usageVector.map((name) => {
    const counter = canonicalUsageName(name);
    if (counter === DURATION) return elapsed;
    if (counter === CPU) return threads === undefined ? undefined : elapsed.times(threads);
    return undefined;
  });
}

/** The price of the time bound for one activity, or `undefined` if a billed counter has no bound. */
function boundCost(pricing: LinearPricing, bounds: readonly (Decimal | undefined)[]): Decimal | undefined {
  if (bounds.some((bound, i) => bound === undefined && !pricing.coeffs[i]!.isZero())) return undefined;
  return linearCost(
    pricing,
    bounds.map((bound) => bound ?? new Decimal(0)),
  );
}

/** The cost of an activity without reported usage: its time bound's price, unless refused. */
function unreportedCost(
  pricing: LinearPricing,
  bounds: readonly (Decimal | undefined)[],
  context: CheckContext,
): Decimal | undefined {
  return context.unreported === 'refuse' ? undefined : boundCost(pricing, bounds);
}

/**
 * Reported counters as decimals: `'malformed'` when they do not fit the usage vector (count,
 * finite, ≥ 0), `'overBound'` when one is above its time bound (× `1 + grace.ratio`).
 */
function soundUsage(
  usage: readonly number[],
  pricing: LinearPricing,
  bounds: readonly (Decimal | undefined)[],
  grace: PaymentGrace,
): Decimal[] | 'malformed' | 'overBound' {
  if (usage.length !== pricing.coeffs.length || !usage.every((u) => Number.isFinite(u) && u >= 0)) {
    return 'malformed';
  }
  const values = usage.map(floatToDecimal);
  const over = values.some((value, i) => {
    const bound = bounds[i];
    return bound !== undefined && value.greaterThan(bound.times(grace.ratio.plus(1)));
  });
  return over ? 'overBound' : values;
}

/** Checks a debit note against the agreed prices applied to its own counters. */
export function checkDebitNote(
  document: PayableDocument,
  terms: PayableAgreementTerms,
  context: CheckContext,
): DebitNoteVerdict {
  const pricing = tryLinearPricing(terms.properties);
  if (pricing === undefined) return UNVERIFIABLE;
  const bounds = usageBounds(pricing, terms, context);
  if (document.usage === undefined) {
    const cost = unreportedCost(pricing, bounds, context);
    return cost === undefined ? UNVERIFIABLE : judge(document.amount, cost, context.grace);
  }
  const usage = soundUsage(document.usage, pricing, bounds, context.grace);
  if (usage === 'malformed') return MALFORMED;
  if (usage === 'overBound') {
    const cost = boundCost(pricing, bounds);
    return { ok: false, reason: 'usage', limit: cost && withGrace(cost, context.grace) };
  }
  return { ...judge(document.amount, linearCost(pricing, usage), context.grace), usage };
}

/** The highest of each counter over several reports (counters only grow: the last report). */
function latest(reports: readonly (readonly Decimal[])[]): Decimal[] | undefined {
  if (reports.length === 0) return undefined;
  return reports[0]!.map((_, i) => Decimal.max(...reports.map((report) => report[i]!)));
}

/** What an invoice is checked against, besides its terms. */
export interface InvoiceEvidence {
  /** The activities billed by the agreement's debit notes, with their sound counters (latest). */
  readonly debitNoteUsage: ReadonlyMap<string, readonly Decimal[]>;
  /** Each activity's usage as read through the port (`undefined`: none reported, or no port). */
  readonly activityUsage: ReadonlyMap<string, readonly number[] | undefined>;
}

/** The activities an invoice covers: those it lists and those its agreement's debit notes billed. */
export function invoiceActivities(
  document: PayableDocument,
  debitNoteUsage: ReadonlyMap<string, unknown>,
): string[] | undefined {
  if (document.activityIds === undefined && debitNoteUsage.size === 0) return undefined;
  return [...new Set([...(document.activityIds ?? []), ...debitNoteUsage.keys()])];
}

/**
 * Checks an invoice: it may not exceed, summed over its activities, the agreed price of the last
 * usage reported for each (start price included); an activity without reported usage costs its
 * time bound's price (see the module).
 */
export function checkInvoice(
  document: PayableDocument,
  terms: PayableAgreementTerms,
  evidence: InvoiceEvidence,
  context: CheckContext,
): Verdict {
  const pricing = tryLinearPricing(terms.properties);
  const activities = invoiceActivities(document, evidence.debitNoteUsage);
  if (pricing === undefined || activities === undefined) return UNVERIFIABLE;
  const bounds = usageBounds(pricing, terms, context);
  let cost = new Decimal(0);
  for (const activityId of activities) {
    const reports: (readonly Decimal[])[] = [];
    const noted = evidence.debitNoteUsage.get(activityId);
    if (noted !== undefined) reports.push(noted);
    const read = evidence.activityUsage.get(activityId);
    if (read !== undefined) {
      const usage = soundUsage(read, pricing, bounds, context.grace);
      if (usage === 'malformed' || usage === 'overBound') return MALFORMED;
      reports.push(usage);
    }
    const usage = latest(reports);
    const activityCost =
      usage === undefined ? unreportedCost(pricing, bounds, context) : linearCost(pricing, usage);
    if (activityCost === undefined) return UNVERIFIABLE;
    cost = cost.plus(activityCost);
  }
  return judge(document.amount, cost, context.grace);
}
