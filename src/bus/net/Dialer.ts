import { createConnection, type Socket } from 'node:net';
import { Observable, retry, switchMap, throwError, timeout, timer, type Subscription } from 'rxjs';
import type { GolemRxError } from '../../errors/GolemRxError.js';
import { isGolemRxError } from '../../errors/GolemRxError.js';
import { BusTimeoutError } from './errors/BusTimeoutError.js';
import { ConnectionRejectedError, isConnectionRejectedError } from './errors/ConnectionRejectedError.js';
import type { ResolvedOptions } from './options.js';
import type { Peer } from './Peer.js';
import type { ConnectionConfig } from './unixServer.js';
import { DirectReads } from './wire/DirectReads.js';

/** What a {@link Dialer} needs from its endpoint. */
export interface DialContext {
  readonly localName: string;
  readonly options: ResolvedOptions;
  /**
   * Wrap a connected socket in an outbound peer; `onHandshake` reports how its handshake ended,
   * `reads` is the socket's `onread` (it reads into the peer's frame decoder).
   */
  openPeer(
    socket: Socket,
    name: string,
    onHandshake: (error?: GolemRxError) => void,
    reads: DirectReads,
  ): Peer;
  reportError(error: GolemRxError): void;
}

/** Failures worth dialling again for: no socket yet, nobody listening yet, a dropped handshake. */
function retriable(err: unknown): boolean {
  if (isConnectionRejectedError(err)) return err.context.reason === 'closed during the handshake';
  return !isGolemRxError(err) || err.name === 'RemoteDisconnectedError';
}

function backoff(attempt: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
}

/**
 * Dials one remote endpoint: the first connection (retrying until `connectTimeout` while the
 * socket does not exist or refuses), and, after a drop, reconnection with exponential backoff.
 * A new connection sends our current subscriptions in its `hello`.
 */
export class Dialer {
  private reconnecting: Subscription | undefined;
  private connecting:
    { readonly subscription: Subscription; readonly reject: (error: GolemRxError) => void } | undefined;
  private stopped = false;

  constructor(
    readonly config: ConnectionConfig,
    private readonly ctx: DialContext,
  ) {}

  /**
   * The first connection; rejects with `ConnectionRejectedError`, `BusTimeoutError`, or the
   * error given to `stop` if the endpoint closes first.
   */
  connect(): Promise<void> {
    const { connectTimeout, scheduler } = this.ctx.options;
    return new Promise<void>((resolve, reject) => {
      const subscription = this.attempt()
        .pipe(
          retry({
            delay: (err: unknown, n) =>
              retriable(err) && !this.stopped ? timer(backoff(n, 10, 500), scheduler) : throwError(() => err),
          }),
          timeout({
            first: connectTimeout,
            scheduler,
            with: () =>
              throwError(
                () =>
                  new BusTimeoutError({
                    endpoint: this.ctx.localName,
                    operation: `connect(${this.config.name} at ${this.config.path})`,
                    timeoutMs: connectTimeout,
                  }),
              ),
          }),
        )
        .subscribe({
          complete: () => {
            this.connecting = undefined;
            resolve();
          },
          error: (err: unknown) => {
            this.connecting = undefined;
            reject(
              isGolemRxError(err)
                ? err
                : new ConnectionRejectedError(
                    { endpoint: this.config.name, reason: 'connection failed' },
                    { cause: err },
                  ),
            );
          },
        });
      if (!subscription.closed) this.connecting = { subscription, reject };
    });
  }

  /** The connection dropped: redial, unless stopped or reconnection is disabled. */
  dropped(): void {
    const policy = this.ctx.options.reconnect;
    if (this.stopped || policy === false || this.reconnecting !== undefined) return;
    const { scheduler } = this.ctx.options;
    this.reconnecting = timer(policy.initialDelay, scheduler)
      .pipe(
        switchMap(() => this.attempt()),
        retry({
          count: policy.maxAttempts,
          delay: (_err: unknown, n) => timer(backoff(n + 1, policy.initialDelay, policy.maxDelay), scheduler),
        }),
      )
      .subscribe({
        complete: () => {
          this.reconnecting = undefined;
        },
        error: (err: unknown) => {
          this.reconnecting = undefined;
          this.ctx.reportError(
            new ConnectionRejectedError(
              {
                endpoint: this.config.name,
                reason: `reconnection gave up after ${policy.maxAttempts} attempts`,
              },
              { cause: err },
            ),
          );
        },
      });
  }

  /** Stop dialling for good; a first connection still under way rejects with `reason`. */
  stop(reason: GolemRxError): void {
    this.stopped = true;
    this.reconnecting?.unsubscribe();
    this.reconnecting = undefined;
    const connecting = this.connecting;
    this.connecting = undefined;
    connecting?.subscription.unsubscribe();
    connecting?.reject(reason);
  }

  /** One dial: emits once the handshake completed; unsubscribing before then closes the socket. */
  private attempt(): Observable<void> {
    return new Observable<void>((subscriber) => {
      const reads = new DirectReads();
      const socket = createConnection({ path: this.config.path, onread: reads.onread });
      let settled = false;
      const onConnectError = (err: Error): void => subscriber.error(err);
      socket.once('error', onConnectError);
      socket.once('connect', () => {
        socket.off('error', onConnectError);
        this.ctx.openPeer(
          socket,
          this.config.name,
          (error) => {
            settled = true;
            if (error !== undefined) subscriber.error(error);
            else {
              subscriber.next();
              subscriber.complete();
            }
          },
          reads,
        );
      });
      return () => {
        if (!settled) socket.destroy();
      };
    });
  }
}
