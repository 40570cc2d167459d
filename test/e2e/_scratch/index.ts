export * from '../../../src/resources/index.js';
export * from '../../../src/operators/index.js';
export { acceptPayments } from '../../../src/operators/acceptPayments.js';
export type { PaymentEvent } from '../../../src/operators/acceptPayments.js';
export * from '../../../src/strategies/index.js';
export { GolemRxError, isGolemRxError } from '../../../src/errors/GolemRxError.js';
