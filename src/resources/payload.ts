/**
 * What a demand and a counter-proposal carry on the wire: the user's payload merged with the
 * allocations' demand decorations, the expiration, the subnet and the negotiable payment terms
 * (REQUESTOR-GUIDE §5.7, §6.1).
 *
 * @module
 */
import type { DemandOfferBaseDto, MarketDecorationDto, Properties } from '../api/types/index.js';

/** The property names the resource layer sets or negotiates. */
export const PROPERTY = {
  /** Agreement expiration, ms since the epoch. */
  expiration: 'golem.srv.comp.expiration',
  /** Subnet tag; also a constraint. */
  subnet: 'golem.node.debug.subnet',
  /** The payment platform the requestor chose, in counter-proposals. */
  chosenPlatform: 'golem.com.payment.chosen-platform',
  /** Negotiable: seconds within which the requestor accepts a debit note. */
  acceptTimeout: 'golem.com.payment.debit-notes.accept-timeout?',
  /** Negotiable: seconds between debit notes. */
  debitNoteInterval: 'golem.com.scheme.payu.debit-note.interval-sec?',
  /** Negotiable: seconds the requestor may take to pay a debit note (mid-agreement payments). */
  paymentTimeout: 'golem.com.scheme.payu.payment-timeout-sec?',
  /** When an offer proposal expires, ms since the epoch (when the provider sets it). */
  proposalExpiration: 'golem.proposal.expiration',
} as const;

const PLATFORM_ADDRESS = /^golem\.com\.payment\.platform\.(.+)\.address$/;

/** The user's part of a demand: properties (flat, dotted keys) and constraints. */
export interface DemandPayload {
  /** Flat properties, e.g. `{ 'golem.srv.comp.task_package': 'hash:sha3:…:http://…' }`. */
  readonly properties?: Readonly<Properties>;
  /** Constraint clauses, ANDed, e.g. `['(golem.inf.mem.gib>=0.5)']`; a single string is one clause. */
  readonly constraints?: readonly string[] | string;
}

/** The negotiable payment terms a demand proposes (§6.1); providers adopt or reject them. */
export interface PaymentTerms {
  /**
   * `golem.com.payment.debit-notes.accept-timeout?`: we accept each debit note within this many
   * seconds (providers reject a value above their own, 240 s by default).
   * @default 120
   */
  readonly debitNoteAcceptTimeoutSec?: number;
  /**
   * `golem.com.scheme.payu.debit-note.interval-sec?`: seconds between debit notes.
   * @default 120
   */
  readonly debitNoteIntervalSec?: number;
  /**
   * `golem.com.scheme.payu.payment-timeout-sec?`: mid-agreement payments, paid within this many
   * seconds; `null` leaves it out (providers then reject agreements of 10 h or more).
   * @default 43200 (12 h, as golem-js)
   */
  readonly paymentTimeoutSec?: number | null;
}

/** The defaults of {@link PaymentTerms}. */
export const DEFAULT_PAYMENT_TERMS = {
  debitNoteAcceptTimeoutSec: 120,
  debitNoteIntervalSec: 120,
  paymentTimeoutSec: 43_200,
} as const;

/** Everything {@link buildDemand} merges. */
export interface DemandParts {
  readonly payload: DemandPayload;
  readonly subnet: string;
  /** `golem.srv.comp.expiration`, ms since the epoch. */
  readonly expirationMs: number;
  /** From `GET /demandDecorations` for the demand's allocations. */
  readonly decoration?: MarketDecorationDto;
  readonly terms?: PaymentTerms;
}

/** ANDs constraint clauses the way golem-js does; none gives `(&)`. */
export function joinConstraints(clauses: readonly string[]): string {
  const list = clauses.map((c) => c.trim()).filter((c) => c !== '' && c !== '()' && c !== '(&)');
  if (list.length === 0) return '(&)';
  return `(&\n\t${list.join('\n\t')}\n)`;
}

function clausesOf(constraints: DemandPayload['constraints']): string[] {
  if (constraints === undefined) return [];
  return typeof constraints === 'string' ? [constraints] : [...constraints];
}

/**
 * Builds a demand body: the payload's properties, the decorations' properties (payment platform
 * addresses, protocol version), the negotiable payment terms (unless the payload sets them), the
 * expiration and the subnet; constraints are the payload's, the subnet's and the decorations',
 * ANDed.
 *
 * @example
 * ```ts
 * buildDemand({ payload: { constraints: ['(golem.runtime.name=vm)'] }, subnet: 'public', expirationMs: now + 3_600_000 });
 * ```
 */
export function buildDemand(parts: DemandParts): DemandOfferBaseDto {
  const terms = { ...DEFAULT_PAYMENT_TERMS, ...parts.terms };
  const properties: Properties = {};
  for (const { key, value } of parts.decoration?.properties ?? []) properties[key] = value;
  properties[PROPERTY.acceptTimeout] = terms.debitNoteAcceptTimeoutSec;
  properties[PROPERTY.debitNoteInterval] = terms.debitNoteIntervalSec;
  if (terms.paymentTimeoutSec !== null) properties[PROPERTY.paymentTimeout] = terms.paymentTimeoutSec;
  Object.assign(properties, parts.payload.properties);
  properties[PROPERTY.expiration] = parts.expirationMs;
  properties[PROPERTY.subnet] = parts.subnet;
  const constraints = joinConstraints([
    ...clausesOf(parts.payload.constraints),
    `(${PROPERTY.subnet}=${parts.subnet})`,
    ...(parts.decoration?.constraints ?? []),
  ]);
  return { properties, constraints };
}

/** The payment platforms a set of properties carries an address for, in order. */
export function platformsOf(properties: Readonly<Properties>): string[] {
  const platforms: string[] = [];
  for (const key of Object.keys(properties)) {
    const match = PLATFORM_ADDRESS.exec(key);
    if (match?.[1] !== undefined) platforms.push(match[1]);
  }
  return platforms;
}

/**
 * Builds our counter-proposal to a provider's proposal: the demand's properties with
 * - `golem.com.payment.chosen-platform`: the first of our platforms (from the allocations'
 *   decorations) that the offer also has an address for;
 * - the debit-note accept-timeout lowered to the provider's when the provider's is lower
 *   (a provider rejects a higher one); the debit-note interval and payment timeout as we propose;
 * then `overrides` on top. Constraints are the demand's unless `constraints` is given.
 */
export function buildCounterProposal(
  demand: DemandOfferBaseDto,
  offer: Readonly<Properties>,
  overrides?: Readonly<Properties>,
  constraints?: string,
): DemandOfferBaseDto {
  const properties: Properties = { ...demand.properties };
  const chosen = platformsOf(demand.properties).find(
    (p) => `golem.com.payment.platform.${p}.address` in offer,
  );
  if (chosen !== undefined) properties[PROPERTY.chosenPlatform] = chosen;
  const ours = properties[PROPERTY.acceptTimeout];
  const theirs = offer[PROPERTY.acceptTimeout];
  if (typeof ours === 'number' && typeof theirs === 'number' && theirs < ours) {
    properties[PROPERTY.acceptTimeout] = theirs;
  }
  Object.assign(properties, overrides);
  return { properties, constraints: constraints ?? demand.constraints };
}
