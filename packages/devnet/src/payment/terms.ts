/**
 * The payment terms of an agreement, read from its last demand and offer properties (STD 0.7.1,
 * REQUESTOR-GUIDE §6), and the linear pricing model.
 */
import { Decimal } from 'decimal.js';
import type { Properties } from 'golem-rx';
import type { AgreementView } from '../contracts.js';
import { DEFAULT_PLATFORM } from './accounts.js';
import { parseAmount, toGlm } from './amounts.js';

/** `golem.com.scheme.payu.debit-note.interval-sec?` when neither side set it (ya-provider default). */
export const DEFAULT_DEBIT_NOTE_INTERVAL_SEC = 120;
/** Invoice `paymentDueDate` when no payment timeout was negotiated: a day after issue. */
export const DEFAULT_INVOICE_DUE_SEC = 24 * 3600;
/** The shortest debit-note interval devnet honours, a guard against a busy loop. */
const MIN_INTERVAL_SEC = 0.1;

const INTERVAL = 'golem.com.scheme.payu.debit-note.interval-sec?';
const LEGACY_INTERVAL = 'golem.com.scheme.payu.interval_sec';
const ACCEPT_TIMEOUT = 'golem.com.payment.debit-notes.accept-timeout?';
const PAYMENT_TIMEOUT = 'golem.com.scheme.payu.payment-timeout-sec?';
const CHOSEN_PLATFORM = 'golem.com.payment.chosen-platform';
const COEFFS = 'golem.com.pricing.model.linear.coeffs';
const USAGE_VECTOR = 'golem.com.usage.vector';

/** What the provider of an agreement bills by. */
export interface PaymentTerms {
  /** Debit-note interval: the offer's (the provider's last word), else the demand's, else 120 s. */
  readonly debitNoteIntervalMs: number;
  /** Set when the demand carries `debit-notes.accept-timeout?` (the requestor's promise). */
  readonly acceptTimeoutMs?: number;
  /** Set when the demand carries `payment-timeout-sec?` (mid-agreement payments). */
  readonly paymentTimeoutMs?: number;
  /** The demand's `chosen-platform`, else the first platform the offer lists, else the default. */
  readonly platform: string;
  /** The provider's address on that platform (the offer's), else its NodeId. */
  readonly payeeAddr: string;
  readonly usageVector: readonly string[];
  /** Linear coefficients: one per usage counter, then the fixed start price. */
  readonly coeffs: readonly Decimal[];
}

function numberProp(props: Properties, key: string): number | undefined {
  const v = props[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function offerPlatform(offer: Properties): string | undefined {
  for (const key of Object.keys(offer)) {
    const m = /^golem\.com\.payment\.platform\.(.+)\.address$/.exec(key);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/** Reads the {@link PaymentTerms} of an agreement. */
export function termsOf(agreement: AgreementView): PaymentTerms {
  const demand = agreement.demandProperties;
  const offer = agreement.offerProperties;
  const intervalSec =
    numberProp(offer, INTERVAL) ??
    numberProp(demand, INTERVAL) ??
    numberProp(offer, LEGACY_INTERVAL) ??
    DEFAULT_DEBIT_NOTE_INTERVAL_SEC;
  const acceptSec = numberProp(demand, ACCEPT_TIMEOUT);
  const paymentSec = numberProp(demand, PAYMENT_TIMEOUT);
  const chosen = demand[CHOSEN_PLATFORM];
  const platform = typeof chosen === 'string' ? chosen : (offerPlatform(offer) ?? DEFAULT_PLATFORM);
  const payee = offer[`golem.com.payment.platform.${platform}.address`];
  const vector = offer[USAGE_VECTOR];
  const coeffs = offer[COEFFS];
  return {
    debitNoteIntervalMs: Math.max(intervalSec, MIN_INTERVAL_SEC) * 1000,
    acceptTimeoutMs: acceptSec === undefined ? undefined : acceptSec * 1000,
    paymentTimeoutMs: paymentSec === undefined ? undefined : paymentSec * 1000,
    platform,
    payeeAddr: typeof payee === 'string' ? payee : agreement.providerId,
    usageVector: Array.isArray(vector) ? vector.filter((v): v is string => typeof v === 'string') : [],
    coeffs: Array.isArray(coeffs) ? coeffs.map((c) => parseAmount(c) ?? new Decimal(0)) : [],
  };
}

/**
 * The linear pricing model: `Σ usage[i] × coeffs[i] + coeffs[N]` (the last coefficient is the fixed
 * start price), in decimal, rounded to GLM's 18 decimals. Missing counters count as 0.
 */
export function linearCost(coeffs: readonly Decimal[], usage: readonly number[]): Decimal {
  if (coeffs.length === 0) return new Decimal(0);
  const n = coeffs.length - 1;
  let cost = coeffs[n] as Decimal;
  for (let i = 0; i < n; i++) {
    const u = usage[i];
    if (u !== undefined && Number.isFinite(u)) cost = cost.plus((coeffs[i] as Decimal).times(new Decimal(u)));
  }
  return toGlm(cost);
}
