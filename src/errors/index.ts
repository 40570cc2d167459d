// src/errors: the errors that cross layers (thrown in several folders), and their base class. An
// error with one owner lives beside it (`src/<folder>/errors/`) and its layer barrel exports it.
// BudgetExceededError and PaymentRefusedError (the node's payer and the engine's) and StorageError
// (the storage server and the engine) are exported by `golem-rx/engine`.
export { GolemRxError, errorGuard, isGolemRxError } from './GolemRxError.js';
export {
  AgreementNotApprovedError,
  isAgreementNotApprovedError,
  type AgreementOutcome,
} from './AgreementNotApprovedError.js';
export { EmptyResponseError, isEmptyResponseError, type PortOperation } from './EmptyResponseError.js';
export { IncompleteCloseError, assertCleanClose, isIncompleteCloseError } from './IncompleteCloseError.js';
export { NodeClosedError, isNodeClosedError } from './NodeClosedError.js';
export { SimulatedFailureError, isSimulatedFailureError } from './SimulatedFailureError.js';
