/**
 * How a simulated provider answers a requestor's counter-proposal, following ya-provider's
 * negotiators: it requires a supported `golem.com.payment.chosen-platform`, validates
 * `golem.srv.comp.expiration` ([now + 5 min, now + 30 min], the upper bound lifted when the
 * demand carries `golem.com.payment.debit-notes.accept-timeout?`), and negotiates the
 * accept-timeout (adopts a lower one, rejects a higher one), the debit-note interval and the
 * payment timeout (adopts a requestor value in [1 s, 24 h]; without a payment timeout it drops
 * its own and rejects agreements of 10 h or more).
 */
import type { Properties, ReasonDto } from 'golem-rx';
import { NEGOTIABLE, PROVIDER_LIMITS, type SimulatedProvider } from './types.js';

/** A provider's answer to a counter-proposal: a Draft's properties, or a rejection. */
export type ProviderAnswer =
  | { readonly kind: 'draft'; readonly properties: Properties }
  | { readonly kind: 'reject'; readonly reason: ReasonDto };

/** The `Reason` of a provider's rejection, with `golem.proposal.rejection.is-final`. */
export function rejection(message: string, isFinal: boolean): ReasonDto {
  return { message, 'golem.proposal.rejection.is-final': isFinal };
}

/**
 * Answers a counter-proposal (flat demand properties) at `nowMs`.
 *
 * @returns the Draft's properties (the offer with the negotiated values adopted), or a rejection.
 */
export function answerCounter(
  provider: SimulatedProvider,
  demand: Readonly<Properties>,
  nowMs: number,
): ProviderAnswer {
  const platform = demand[NEGOTIABLE.chosenPlatform];
  if (platform === undefined) {
    return reject(
      `Demand has no '${NEGOTIABLE.chosenPlatform}' property: choose one of ${provider.platforms.join(', ')}`,
    );
  }
  if (typeof platform !== 'string' || !provider.platforms.includes(platform)) {
    return reject(
      `Payment platform ${show(platform)} is not supported (accepted: ${provider.platforms.join(', ')})`,
    );
  }

  const expiration = demand[NEGOTIABLE.expiration];
  if (typeof expiration !== 'number' || !Number.isFinite(expiration)) {
    return reject(`Demand has no valid '${NEGOTIABLE.expiration}' (ms since epoch)`);
  }
  const acceptTimeout = demand[NEGOTIABLE.acceptTimeout];
  const tooSoon = expiration < nowMs + PROVIDER_LIMITS.minExpirationMs;
  const tooLate = acceptTimeout === undefined && expiration > nowMs + PROVIDER_LIMITS.maxExpirationMs;
  if (tooSoon || tooLate) {
    return reject(
      `Proposal expires at: ${new Date(expiration).toISOString()} which is less than 5m or more than 30m from now`,
    );
  }

  const draft: Properties = { ...provider.properties };
  if (acceptTimeout !== undefined) {
    if (typeof acceptTimeout !== 'number' || !(acceptTimeout > 0)) {
      return reject(`Invalid '${NEGOTIABLE.acceptTimeout}': ${show(acceptTimeout)}`);
    }
    if (acceptTimeout > PROVIDER_LIMITS.acceptTimeoutSec) {
      return reject(
        `Requestor's debit note accept timeout ${acceptTimeout}s exceeds the provider's ${PROVIDER_LIMITS.acceptTimeoutSec}s`,
      );
    }
    draft[NEGOTIABLE.acceptTimeout] = acceptTimeout;
  }

  const interval = demand[NEGOTIABLE.debitNoteInterval];
  if (interval !== undefined) {
    if (!inNegotiableRange(interval)) {
      return reject(`Debit note interval ${show(interval)}s is outside [1s, 24h]`);
    }
    draft[NEGOTIABLE.debitNoteInterval] = interval;
  }

  const paymentTimeout = demand[NEGOTIABLE.paymentTimeout];
  if (paymentTimeout === undefined) {
    delete draft[NEGOTIABLE.paymentTimeout];
    if (expiration >= nowMs + PROVIDER_LIMITS.midAgreementPaymentsFromMs) {
      return reject(
        `Agreements of 10h or more require mid-agreement payments: set '${NEGOTIABLE.paymentTimeout}'`,
      );
    }
  } else {
    if (!inNegotiableRange(paymentTimeout)) {
      return reject(`Payment timeout ${show(paymentTimeout)}s is outside [1s, 24h]`);
    }
    draft[NEGOTIABLE.paymentTimeout] = paymentTimeout;
  }
  return { kind: 'draft', properties: draft };
}

function reject(message: string): ProviderAnswer {
  return { kind: 'reject', reason: rejection(message, true) };
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

function inNegotiableRange(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    value >= PROVIDER_LIMITS.minNegotiableSec &&
    value <= PROVIDER_LIMITS.maxNegotiableSec
  );
}
