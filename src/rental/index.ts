// src/rental: rentals and pools of them, built from the spending operators and the resources.
// See docs/rentals.md.

// --- a rental
export { Rental } from './Rental.js';
export type {
  OutputChunk,
  PaymentRefusal,
  RentalEvent,
  RentalInvoiceOutcome,
  RentalState,
  RentalStopCause,
  RentalStopFailure,
  RentalStopReport,
} from './events.js';

// --- a pool and its ports
export { RentalPool } from './RentalPool.js';
export type {
  RentalPoolConfig,
  RentalPoolDrainReport,
  RentalPoolEvent,
  RentalPoolPhase,
  RentalPoolState,
} from './RentalPool.js';
export type { PoolMember, RentalSupply, StopReportOf } from './ports.js';

// --- renting on a node: `node.rent(options)` and `node.rentalPool(options)`
export {
  ACTIVITY_PROPERTY,
  DEFAULT_RENTAL_DURATION_MS,
  type RentOptions,
  type RentalMarketOptions,
  type RentalPoolOptions,
} from './options.js';
export { estimateBudget, type BudgetOrder } from './estimateBudget.js';

// --- errors of this layer
export { RentalNotMadeError, isRentalNotMadeError } from './errors/RentalNotMadeError.js';
export { RentalPoolDrainedError, isRentalPoolDrainedError } from './errors/RentalPoolDrainedError.js';
export { RentalStoppedError, isRentalStoppedError } from './errors/RentalStoppedError.js';

// --- errors a rental reports (its payer's refusals, its transfers)
export { BudgetExceededError, isBudgetExceededError } from '../errors/BudgetExceededError.js';
export {
  PaymentRefusedError,
  isPaymentRefusedError,
  type PaymentRefusalReason,
  type PaymentRejectionStatus,
} from '../errors/PaymentRefusedError.js';
export { StorageError, isStorageError } from '../errors/StorageError.js';
