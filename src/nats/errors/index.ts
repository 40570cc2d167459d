export { NatsConnectionError, isNatsConnectionError } from './NatsConnectionError.js';
