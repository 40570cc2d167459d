// src/node: GolemNode, the entry point: one app key on one yagna, the resources it knows, and the
// payer that pays what its agreements bill. It sits above the operators it composes. See
// docs/resources.md.

export { GolemNode, type NodeState } from './GolemNode.js';
export type { NodePaymentEvent } from './nodePayments.js';
