// golem-rx: the one barrel. Explicit named exports, grouped by layer.

// --- errors
export { GolemRxError, isGolemRxError } from './errors/GolemRxError.js';
