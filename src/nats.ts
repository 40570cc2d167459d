// golem-rx/nats (Node-only): golem-rx beyond one machine on NATS. The connection with its health,
// and the parts that run on it. Needs the optional peers @nats-io/transport-node,
// @nats-io/jetstream and @nats-io/kv.
export * from './nats/index.js';
export * from './jobs/index.js';
