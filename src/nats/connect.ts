import type { NatsConnection } from '@nats-io/nats-core';
import { Observable, ReplaySubject, type SchedulerLike, asyncScheduler } from 'rxjs';
import { NatsConnectionError } from './errors/NatsConnectionError.js';
import { maskSecrets, maskServerUrl } from './mask.js';
import type { NatsConnectionOptions, NatsHealth } from './options.js';

/** A connection to NATS made by {@link connectNats}, with its health as an Observable. */
export interface NatsLink extends AsyncDisposable {
  /** The client's connection (`@nats-io/nats-core`), for JetStream, KV and subscriptions. */
  readonly connection: NatsConnection;
  /**
   * The connection's health from now on (hot; replays the latest report to a late subscriber):
   * `unreachable` per failed reconnection attempt, `recovered` once back, `closed` at the end
   * (then it completes).
   */
  readonly health$: Observable<NatsHealth>;
  /** The servers, credentials masked: what reports and errors name. */
  readonly servers: readonly string[];
  /** Masks this connection's secrets in `text` (for messages built from the client's errors). */
  mask(text: string): string;
  /** Drains and closes the connection. Idempotent. */
  close(): Promise<void>;
}

/** The client module, loaded on first use so that golem-rx loads without the optional peers. */
type Transport = typeof import('@nats-io/transport-node');

let transport: Promise<Transport> | undefined;

/** Loads `@nats-io/transport-node`, or fails with a {@link NatsConnectionError} saying what to install. */
export function loadNatsTransport(servers: readonly string[] = []): Promise<Transport> {
  transport ??= import('@nats-io/transport-node').catch((err: unknown) => {
    transport = undefined;
    throw new NatsConnectionError(
      'NATS support needs the optional peer dependencies: npm install @nats-io/transport-node @nats-io/jetstream @nats-io/kv',
      { operation: 'load', servers },
      { cause: err },
    );
  });
  return transport;
}

/** The servers as a list, credentials masked. */
export function maskedServers(options: NatsConnectionOptions): readonly string[] {
  const list = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  return list.map(maskServerUrl);
}

function checkOptions(options: NatsConnectionOptions): void {
  const list = typeof options.servers === 'string' ? [options.servers] : options.servers;
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s.length === 0))
    throw new RangeError('NATS servers: give at least one URL, e.g. nats://127.0.0.1:4222');
  if (options.nkeySeed !== undefined && !options.nkeySeed.startsWith('S'))
    throw new RangeError('NATS nkeySeed: expected a seed (it starts with "S"); the public key is not enough');
  if (options.maxReconnectAttempts !== undefined && !Number.isInteger(options.maxReconnectAttempts))
    throw new RangeError('NATS maxReconnectAttempts: an integer, -1 for no limit');
  for (const key of ['reconnectTimeWaitMs', 'timeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw new RangeError(`NATS ${key}: a positive number of milliseconds`);
  }
}

/**
 * Connects to NATS with golem-rx's options: credentials from {@link NatsConnectionOptions} only,
 * reconnection on by default (forever), health as an Observable in the shape of the sources'
 * `SourceHealth`, and errors that never carry the token, seed or password.
 *
 * @param options the servers and credentials
 * @param scheduler measures `recovered.downtimeMs` (default `asyncScheduler`)
 * @throws {RangeError} (rejects) on bad options, before anything is sent
 * @throws {NatsConnectionError} (rejects) when the servers refuse or cannot be reached, or the
 *   client packages are missing
 *
 * @example
 * ```ts
 * const link = await connectNats({ servers: 'nats://127.0.0.1:4222', token: process.env.NATS_TOKEN });
 * link.health$.subscribe((h) => console.log('nats', h.kind));
 * await link.close();
 * ```
 */
export async function connectNats(
  options: NatsConnectionOptions,
  scheduler: SchedulerLike = asyncScheduler,
): Promise<NatsLink> {
  checkOptions(options);
  const servers = maskedServers(options);
  const secrets = [options.token, options.nkeySeed, options.pass];
  const mask = (text: string): string => maskSecrets(text, secrets);
  const { connect, nkeyAuthenticator, tokenAuthenticator, usernamePasswordAuthenticator } =
    await loadNatsTransport(servers);
  const authenticator =
    options.nkeySeed !== undefined
      ? nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed))
      : options.token !== undefined
        ? tokenAuthenticator(options.token)
        : options.user !== undefined
          ? usernamePasswordAuthenticator(options.user, options.pass)
          : undefined;
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: typeof options.servers === 'string' ? options.servers : [...options.servers],
      name: options.name,
      authenticator,
      reconnect: options.reconnect ?? true,
      maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
      timeout: options.timeoutMs ?? 5000,
    });
  } catch (err: unknown) {
    const text = mask(err instanceof Error ? err.message : String(err));
    const auth = /auth|permission/i.test(text);
    throw new NatsConnectionError(
      `NATS ${auth ? 'refused the credentials' : 'could not be reached'} at ${servers.join(', ')}: ${text}`,
      { operation: auth ? 'auth' : 'connect', servers },
      { cause: new Error(text) },
    );
  }

  const health = new ReplaySubject<NatsHealth>(1);
  let downSince: number | undefined;
  let attempt = 0;
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') {
        downSince ??= scheduler.now();
        if (status.type === 'reconnecting') {
          attempt++;
          health.next({
            kind: 'unreachable',
            attempt,
            error: new Error('NATS connection lost; reconnecting'),
          });
        }
      } else if (status.type === 'reconnect') {
        const downtimeMs = downSince === undefined ? 0 : scheduler.now() - downSince;
        downSince = undefined;
        attempt = 0;
        health.next({ kind: 'recovered', downtimeMs });
      }
    }
  })().catch((err: unknown) => health.error(err));
  void connection.closed().then((err) => {
    if (err === undefined) health.next({ kind: 'closed' });
    else {
      const text = mask(err.message);
      health.next({
        kind: 'closed',
        error: new NatsConnectionError(
          `NATS connection ended: ${text}`,
          { operation: 'reconnect', servers },
          { cause: new Error(text) },
        ),
      });
    }
    health.complete();
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= connection.isClosed()
      ? Promise.resolve()
      : connection.drain().catch(() => connection.close());
    return closing;
  };
  return {
    connection,
    health$: health.asObservable(),
    servers,
    mask,
    close,
    [Symbol.asyncDispose]: close,
  };
}
