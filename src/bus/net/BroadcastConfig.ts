import { BusConfigError } from './errors/BusConfigError.js';

/** The fields of a {@link BroadcastConfig}; all optional. */
export interface BroadcastConfigInit {
  /** Deliver only to the endpoint of this name (which may be this endpoint itself). */
  readonly filterEndpoint?: string;
  /** Mark the event as the response to the request of this id (see `BaseEvent.broadcastConfig`). */
  readonly filterEventId?: string;
  /** Deliver only inside this endpoint; never leaves the process. Excludes `filterEndpoint`. */
  readonly internal?: boolean;
  /**
   * Reject the broadcast with `NoSubscribersError` when nobody would receive it: no allowed
   * endpoint (this one included) is subscribed, or the targeted endpoint is not connected or
   * not subscribed. For a response: the requester is gone or no longer waiting.
   * @default false
   */
  readonly requireSubscriber?: boolean;
}

/**
 * Where a broadcast goes: everywhere someone listens (the default), to one endpoint
 * (`filterEndpoint`), only inside this endpoint (`internal`), or back to a requester
 * (`filterEventId`, built for you by `request.broadcastConfig()`).
 *
 * @example
 * ```ts
 * await endpoint.broadcast(new Ping(1), new BroadcastConfig({ filterEndpoint: 'worker-2' }));
 * await endpoint.broadcast(new Ping(2), new BroadcastConfig({ internal: true }));
 * ```
 */
export class BroadcastConfig {
  readonly filterEndpoint: string | undefined;
  readonly filterEventId: string | undefined;
  readonly internal: boolean;
  readonly requireSubscriber: boolean;

  constructor(init: BroadcastConfigInit = {}) {
    this.filterEndpoint = init.filterEndpoint;
    this.filterEventId = init.filterEventId;
    this.internal = init.internal ?? false;
    this.requireSubscriber = init.requireSubscriber ?? false;
    if (this.internal && this.filterEndpoint !== undefined) {
      throw new BusConfigError(
        { setting: 'BroadcastConfig.internal' },
        '`internal` cannot be combined with `filterEndpoint`',
      );
    }
  }

  /** May the endpoint of this name receive the event? (`internal` is checked separately.) */
  allowedToReceive(endpoint: string): boolean {
    return this.filterEndpoint === undefined || this.filterEndpoint === endpoint;
  }

  /** A readable summary, for logs and error messages. */
  toString(): string {
    return `BroadcastConfig[${this.internal ? 'internal' : 'external'} / endpoint=${this.filterEndpoint ?? 'N/A'} / id=${this.filterEventId ?? 'N/A'}${this.requireSubscriber ? ' / requireSubscriber' : ''}]`;
  }
}
