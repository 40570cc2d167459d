// NATS, the connection shared by golem-rx's NATS parts (the bus transport, the promise store on
// JetStream KV, the shared job queue). Loads the optional peer @nats-io/transport-node on first use.
export { connectNats, loadNatsTransport, type NatsLink } from './connect.js';
export type { NatsConnectionOptions, NatsHealth } from './options.js';
export { maskSecrets, maskServerUrl } from './mask.js';
export * from './errors/index.js';
