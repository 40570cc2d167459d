/** The simulated providers of devnet: who they are and what they offer. */
import type { Properties } from 'golem-rx';
import type { Constraint } from '../market/constraints.js';

/** One simulated provider and its (single) offer. */
export interface SimulatedProvider {
  /** NodeId, `0x` + 40 hex; also its payment address on every platform. */
  readonly id: string;
  /** `golem.node.id.name`. */
  readonly name: string;
  /** The offer's subscription id (`Agreement.offer.offerId`). */
  readonly offerId: string;
  /** `golem.node.debug.subnet`. */
  readonly subnet: string;
  /** Payment platforms it accepts, e.g. `erc20-holesky-tglm`. */
  readonly platforms: readonly string[];
  /** The offer's flat properties (frozen; shared by every proposal made from it). */
  readonly properties: Readonly<Properties>;
  /** The offer's constraint text, e.g. `(&\n  (golem.srv.comp.expiration>1716912000000)\n)`. */
  readonly constraints: string;
  /** `constraints`, parsed once. */
  readonly parsedConstraints: Constraint;
  /** When the offer was published (RFC 3339). */
  readonly timestamp: string;
}

/** The negotiation limits of simulated providers (ya-provider's defaults). */
export const PROVIDER_LIMITS = {
  /** Provider's `golem.com.payment.debit-notes.accept-timeout?` (s); it rejects a higher requestor value. */
  acceptTimeoutSec: 240,
  /** Provider's `golem.com.scheme.payu.debit-note.interval-sec?` (s). */
  debitNoteIntervalSec: 120,
  /** Provider's `golem.com.scheme.payu.payment-timeout-sec?` (s). */
  paymentTimeoutSec: 120,
  /** Accepted range of the requestor's interval and payment timeout (s): [1 s, 24 h]. */
  minNegotiableSec: 1,
  maxNegotiableSec: 24 * 3600,
  /** `golem.srv.comp.expiration` must be at least this far away (ms). */
  minExpirationMs: 5 * 60_000,
  /** … and at most this far, unless the demand carries `debit-notes.accept-timeout?` (ms). */
  maxExpirationMs: 30 * 60_000,
  /** Agreements at least this long need mid-agreement payments (`payment-timeout-sec?`) (ms). */
  midAgreementPaymentsFromMs: 10 * 3600_000,
} as const;

/** Property names the providers negotiate on. */
export const NEGOTIABLE = {
  expiration: 'golem.srv.comp.expiration',
  chosenPlatform: 'golem.com.payment.chosen-platform',
  acceptTimeout: 'golem.com.payment.debit-notes.accept-timeout?',
  debitNoteInterval: 'golem.com.scheme.payu.debit-note.interval-sec?',
  paymentTimeout: 'golem.com.scheme.payu.payment-timeout-sec?',
} as const;
