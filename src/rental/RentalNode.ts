/**
 * What a rental knows of the node it was rented through: the resource layer's view
 * (`ResourceNode`) plus the few node members rentals build on. `GolemNode` (src/node, above this
 * folder) implements it; `node.rent()` and `node.rentalPool()` pass themselves.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
import type { Observable } from 'rxjs';
import type { PaymentEvent } from '../ports/index.js';
import type {
  AgreementEvent,
  Allocation,
  CreateAllocationOptions,
  CreateDemandOptions,
  Proposal,
  ResourceNode,
} from '../resources/index.js';

/** What the node's payer reports about one debit note or invoice (`node.payments$`). */
export type RentalPaymentEvent = Exclude<PaymentEvent<Allocation>, { readonly kind: 'summary' }>;

/** The node as its rentals see it: a `GolemNode`. */
export interface RentalNode extends ResourceNode {
  /** The initial proposals of a demand published while subscribed (hot, shared). */
  demand$(options: CreateDemandOptions): Observable<Proposal>;
  /** Creates an allocation (a cold, awaitable action). */
  createAllocation(options: CreateAllocationOptions): Observable<Allocation>;
  /** The agreement events of the node's session (hot). */
  readonly agreementEvents$: Observable<AgreementEvent>;
  /** What the node's payer does with each debit note and invoice (hot). */
  readonly payments$: Observable<RentalPaymentEvent>;
  /** The node's payer. */
  readonly payer: {
    /** Does the node pay? */
    readonly enabled: boolean;
    /** Caps what the payer accepts for one agreement in all. */
    capCost(agreementId: string, cap: Decimal): void;
  };
}
