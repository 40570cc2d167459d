/**
 * The price checks of `acceptPayments`, pure functions of a document, its agreement's terms, what
 * was accepted before and the time:
 *
 * - a **debit note** may not exceed the linear price of its usage counters, nor may its counters
 *   exceed what the time since approval allows (duration ≤ elapsed, CPU seconds ≤ elapsed × threads);
 *   without counters, the price of that time bound is the limit;
 * - an **invoice** may not exceed the larger of the debit notes accepted for the agreement and the
 *   price of the time bound for each of its activities (start price included);
 *
 * each with grace: `limit × (1 + ratio) + amount`; the time bound also allows `clockSkew`.
 *
 * @internal
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
} from '../../strategies/pricing.js';
import type { OverPriceReason, PayableAgreementTerms, PayableDocument } from './acceptPaymentsTypes.js';

/** The tolerance of the checks. */
export interface PaymentGrace {
  /** Relative: `0.05` allows 5% over the limit. */
  readonly ratio: Decimal;
  /** Absolute, in GLM. */
  readonly amount: Decimal;
}

/** When and how leniently a document is checked. */
export interface CheckContext {
  /** The scheduler's now, ms since the epoch. */
  readonly now: number;
  /** Added to the time since approval, ms. */
  readonly clockSkew: number;
  readonly grace: PaymentGrace;
}

/** The outcome of a check. */
export type Verdict =
  | { readonly ok: true; readonly limit: Decimal }
  | { readonly ok: false; readonly reason: OverPriceReason; readonly limit: Decimal | undefined };

const CPU = canonicalUsageName(USAGE.cpuSec);
const DURATION = canonicalUsageName(USAGE.durationSec);
const THREADS = 'golem.inf.cpu.threads';

function withGrace(value: Decimal, grace: PaymentGrace): Decimal {
  return value.times(grace.ratio.plus(1)).plus(grace.amount);
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

/** Checks a debit note against its agreement's prices and the time since approval. */
export function checkDebitNote(
  document: PayableDocument,
  terms: PayableAgreementTerms,
  context: CheckContext,
): Verdict {
  const pricing = tryLinearPricing(terms.properties);
  if (pricing === undefined) return { ok: false, reason: 'unverifiable', limit: undefined };
  const bounds = usageBounds(pricing, terms, context);
  let expected: Decimal;
  if (document.usage !== undefined) {
    const usage = document.usage;
    if (usage.length !== pricing.coeffs.length || !usage.every((u) => Number.isFinite(u) && u >= 0)) {
      return { ok: false, reason: 'usage', limit: undefined };
    }
    const values = usage.map(floatToDecimal);
    const overBound = values.some((value, i) => {
      const bound = bounds[i];
      return bound !== undefined && value.greaterThan(bound.times(context.grace.ratio.plus(1)));
    });
    if (overBound) {
      const cost = boundCost(pricing, bounds);
      return { ok: false, reason: 'usage', limit: cost && withGrace(cost, context.grace) };
    }
    expected = linearCost(pricing, values);
  } else {
    const cost = boundCost(pricing, bounds);
    if (cost === undefined) return { ok: false, reason: 'unverifiable', limit: undefined };
    expected = cost;
  }
  const limit = withGrace(expected, context.grace);
  return document.amount.greaterThan(limit) ? { ok: false, reason: 'price', limit } : { ok: true, limit };
}

/**
 * Checks an invoice: it may not exceed the larger of `acceptedForAgreement` (the debit notes
 * accepted for it) and the price of the time bound for each of its activities.
 *
 * @param activitiesSeen - activities billed by debit notes, used when the invoice does not list its own.
 */
export function checkInvoice(
  document: PayableDocument,
  terms: PayableAgreementTerms,
  acceptedForAgreement: Decimal,
  activitiesSeen: number,
  context: CheckContext,
): Verdict {
  const pricing = tryLinearPricing(terms.properties);
  let timeBound: Decimal | undefined;
  if (pricing !== undefined && terms.approvedAt !== undefined) {
    const perActivity = boundCost(pricing, usageBounds(pricing, terms, context));
    const activities = document.activityIds?.length ?? Math.max(1, activitiesSeen);
    timeBound = perActivity?.times(activities);
  }
  const allowed = Decimal.max(acceptedForAgreement, timeBound ?? 0);
  const limit = withGrace(allowed, context.grace);
  if (!document.amount.greaterThan(limit)) return { ok: true, limit };
  return { ok: false, reason: timeBound === undefined ? 'unverifiable' : 'price', limit };
}
