import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A NATS connection could not be made or was lost for good: the servers refused or did not answer
 * (`operation: 'connect'`), the credentials were refused (`'auth'`), reconnection gave up
 * (`'reconnect'`), or the client packages are not installed (`'load'`: golem-rx's NATS support
 * needs the optional peers `@nats-io/transport-node`, `@nats-io/jetstream` and `@nats-io/kv`).
 * `servers` are the URLs as given, with any credentials in them masked; the token or nkey seed
 * never appears in the message, the context or the `cause`'s message as kept here.
 */
export class NatsConnectionError extends GolemRxError {
  override readonly name = 'NatsConnectionError' as const;
  /** What failed. */
  readonly operation: 'load' | 'connect' | 'auth' | 'reconnect';
  /** The servers tried, credentials masked. */
  readonly servers: readonly string[];

  constructor(
    message: string,
    context: { operation: 'load' | 'connect' | 'auth' | 'reconnect'; servers: readonly string[] },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.operation = context.operation;
    this.servers = context.servers;
  }
}

/** Is `err` a {@link NatsConnectionError} (by class, or by name across realms)? */
export const isNatsConnectionError = errorGuard(NatsConnectionError, 'NatsConnectionError');
