/**
 * How golem-rx reaches a NATS server: the one options shape shared by the bus
 * (`Endpoint.connectNats`), the promise store on JetStream KV and the shared job queue.
 * Credentials are given here and nowhere else; they never reach a log line or an error.
 */
export interface NatsConnectionOptions {
  /** One URL or several (`nats://127.0.0.1:4222`); the client picks and fails over among them. */
  readonly servers: string | readonly string[];
  /** The connection's name as the server shows it (monitoring, `nats server report`). */
  readonly name?: string;
  /** A token the server requires (`authorization { token }`). Never logged. */
  readonly token?: string;
  /** An nkey seed (`SU…`) the server's `authorization { users = [{ nkey }] }` knows. Never logged. */
  readonly nkeySeed?: string;
  /** User and password, when the server authenticates by them. The password is never logged. */
  readonly user?: string;
  readonly pass?: string;
  /**
   * Reconnect after the connection is lost (default true): the client retries every server
   * forever (`maxReconnectAttempts: -1` unless set) and reports each step as a {@link NatsHealth}.
   */
  readonly reconnect?: boolean;
  /** Attempts per server before giving up; -1 (the default) never gives up. */
  readonly maxReconnectAttempts?: number;
  /** Milliseconds between reconnection attempts to one server (default 250). */
  readonly reconnectTimeWaitMs?: number;
  /** Milliseconds the first connection may take (default 5000). */
  readonly timeoutMs?: number;
}

/**
 * The health of a NATS connection, in the shape the long-poll sources report theirs
 * (`SourceHealth`): `unreachable` while the connection is down and being retried, `recovered` when
 * it is back (subscriptions are restored by the client; what was published meanwhile to JetStream
 * is not lost), `closed` when it ended (by `close()`, or reconnection gave up: `error` then says
 * why).
 */
export type NatsHealth =
  | { readonly kind: 'unreachable'; readonly attempt: number; readonly error: unknown }
  | { readonly kind: 'recovered'; readonly downtimeMs: number }
  | { readonly kind: 'closed'; readonly error?: unknown };
