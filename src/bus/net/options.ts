import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { OverflowPolicy } from './errors/BroadcastOverflowError.js';
import { defaultEventRegistry, type EventRegistry } from './EventRegistry.js';

/** Reconnection of outbound connections after they drop. */
export interface ReconnectOptions {
  /** First delay before redialling, in ms. @default 50 */
  readonly initialDelay?: number;
  /** Delays double up to this, in ms. @default 2000 */
  readonly maxDelay?: number;
  /** Attempts before giving up (reported on `errors$`). @default Infinity */
  readonly maxAttempts?: number;
}

/** The bound on `broadcastNowait` frames waiting for one peer, and what happens past it. */
export interface NowaitQueueOptions {
  /** @default 10_000 */
  readonly maxFrames?: number;
  /** @default 64 MiB */
  readonly maxBytes?: number;
  /** @default 'drop-newest' */
  readonly overflow?: OverflowPolicy;
}

/** Options of an {@link Endpoint}; every one has a default. */
export interface EndpointOptions {
  /** Where event classes are looked up by tag. @default defaultEventRegistry */
  readonly registry?: EventRegistry;
  /** Runs every timer of the endpoint (timeouts, backoff, stall detection). @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Largest frame body sent or accepted, in bytes. @default 16 MiB */
  readonly maxFrameBytes?: number;
  /** A connection must complete its `hello` exchange within this, in ms. @default 5000 */
  readonly handshakeTimeout?: number;
  /** `connectToEndpoints` keeps dialling (the socket may not exist yet) for this long, in ms. @default 30_000 */
  readonly connectTimeout?: number;
  /** Redial dropped outbound connections; `false` to disable. */
  readonly reconnect?: ReconnectOptions | false;
  /** Default timeout of `request`, in ms. @default 30_000 */
  readonly requestTimeout?: number;
  /** Backlog per peer (bytes) above which `broadcast` waits for that peer's socket to drain. @default 1 MiB */
  readonly peerHighWaterMark?: number;
  /** Bound and overflow policy of `broadcastNowait`. */
  readonly nowaitQueue?: NowaitQueueOptions;
  /** A peer whose socket does not drain for this long is disconnected, in ms; 0 disables. @default 30_000 */
  readonly slowPeerTimeout?: number;
}

/** {@link EndpointOptions} with every default applied. */
export interface ResolvedOptions {
  readonly registry: EventRegistry;
  readonly scheduler: SchedulerLike;
  readonly maxFrameBytes: number;
  readonly handshakeTimeout: number;
  readonly connectTimeout: number;
  readonly reconnect: Required<ReconnectOptions> | false;
  readonly requestTimeout: number;
  readonly peerHighWaterMark: number;
  readonly nowaitQueue: Required<NowaitQueueOptions>;
  readonly slowPeerTimeout: number;
}

/** Apply the defaults. */
export function resolveOptions(o: EndpointOptions = {}): ResolvedOptions {
  return {
    registry: o.registry ?? defaultEventRegistry,
    scheduler: o.scheduler ?? asyncScheduler,
    maxFrameBytes: o.maxFrameBytes ?? 16 * 1024 * 1024,
    handshakeTimeout: o.handshakeTimeout ?? 5_000,
    connectTimeout: o.connectTimeout ?? 30_000,
    reconnect:
      o.reconnect === false
        ? false
        : {
            initialDelay: o.reconnect?.initialDelay ?? 50,
            maxDelay: o.reconnect?.maxDelay ?? 2_000,
            maxAttempts: o.reconnect?.maxAttempts ?? Infinity,
          },
    requestTimeout: o.requestTimeout ?? 30_000,
    peerHighWaterMark: o.peerHighWaterMark ?? 1024 * 1024,
    nowaitQueue: {
      maxFrames: o.nowaitQueue?.maxFrames ?? 10_000,
      maxBytes: o.nowaitQueue?.maxBytes ?? 64 * 1024 * 1024,
      overflow: o.nowaitQueue?.overflow ?? 'drop-newest',
    },
    slowPeerTimeout: o.slowPeerTimeout ?? 30_000,
  };
}
