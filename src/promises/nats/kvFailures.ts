import type { NatsLink } from '../../nats/connect.js';
import { NatsConnectionError } from '../../nats/errors/NatsConnectionError.js';
import { PromiseKvStoreError, type PromiseKvStoreOperation } from '../errors/PromiseKvStoreError.js';

// How the promise store on NATS tells errors apart (module-internal): a lost compare-and-set, a
// failure worth another attempt, a final one; and how it reports them without credentials.

/** The first wait between retries, doubling up to {@link RETRY_MAX_MS}. */
export const RETRY_FIRST_MS = 50;
/** The longest wait between retries. */
export const RETRY_MAX_MS = 1_000;

/** JetStream's "wrong last sequence": the compare-and-set lost. */
export function isWrongLastSequence(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && err.name === 'JetStreamApiError' && (code === 10071 || code === 10164);
}

/**
 * Worth another attempt: a timeout, no responders (JetStream restarting), a connection dropped
 * meanwhile, JetStream temporarily unavailable (503). Not: a refused request, a closed connection.
 */
export function isRetryable(err: unknown): boolean {
  if (err === undefined) return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'JetStreamApiError') return (err as { status?: unknown }).status === 503;
  return ![
    'ClosedConnectionError',
    'DrainingConnectionError',
    'InvalidArgumentError',
    'InvalidSubjectError',
    'PermissionViolationError',
    'AuthorizationError',
    'UserAuthenticationExpiredError',
  ].includes(err.name);
}

/** The client's error with this connection's secrets masked out of its message. */
export function maskedCause(link: NatsLink, err: unknown): Error {
  const text = link.mask(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  return new Error(text);
}

/** The typed error of a failed operation, its message and cause masked. */
export function failure(
  link: NatsLink,
  bucket: string,
  operation: PromiseKvStoreOperation,
  key: string | undefined,
  err: unknown,
): PromiseKvStoreError {
  const cause = err === undefined ? new Error('the watch ended') : maskedCause(link, err);
  const what = {
    open: `Cannot open promise bucket ${bucket}`,
    append: `Cannot write ${key ?? ''} to promise bucket ${bucket}`,
    refresh: `Cannot read ${key ?? ''} from promise bucket ${bucket}`,
    watch: `Cannot watch promise bucket ${bucket}`,
  }[operation];
  return new PromiseKvStoreError(
    `${what} on ${link.servers.join(', ')}: ${cause.message}`,
    { bucket, operation, key, servers: link.servers },
    { cause },
  );
}

/** Loads an optional peer, or fails with a {@link NatsConnectionError} saying what to install. */
export async function loadPeer<T>(importer: () => Promise<T>, servers: readonly string[]): Promise<T> {
  try {
    return await importer();
  } catch (err) {
    throw new NatsConnectionError(
      'The promise store on NATS needs the optional peer dependencies: npm install @nats-io/transport-node @nats-io/jetstream @nats-io/kv',
      { operation: 'load', servers },
      { cause: err },
    );
  }
}
