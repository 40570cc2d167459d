/** Options and handle of {@link startDevnet}. */
import type { SchedulerLike } from 'rxjs';
import type { Fault, FaultPlan, MarketFacade } from './contracts.js';
import type { CommandHandler } from './exeunit/shell/types.js';
import type { GsbNetwork, GsbStats } from './gsb/index.js';
import type { MarketStats } from './market/index.js';
import type { PaymentModuleOptions } from './payment/index.js';
import type { ServerCounters } from './server.js';

/** How to start a devnet. Every option has a default; `startDevnet()` works. */
export interface DevnetOptions {
  /** TCP port, 0–65535; `0` picks a free one. @default 0 (the CLI defaults to 7465, yagna's port) */
  readonly port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Number of simulated providers. @default 20 */
  readonly providers?: number;
  /** Seed of the PRNG: the same seed gives the same market (providers, offers, ids). @default 1 */
  readonly seed?: number;
  /**
   * The app key clients must present (e.g. `process.env.YAGNA_APPKEY`, to serve clients already
   * configured with it; devnet itself never reads the environment). @default a random 32-hex key
   */
  readonly appKey?: string;
  /**
   * Origins whose web pages may call devnet (CORS), as yagna's `--api-allow-origin` /
   * `YAGNA_API_ALLOW_ORIGIN`: e.g. `'http://127.0.0.1:8080'`, a list, or `'*'` for any. Each is a
   * serialized origin (scheme, host, port; no path), `'null'` or `'*'`. As in yagna, preflights
   * need no app key and a 401 carries no CORS header. @default [] (no cross-origin page)
   */
  readonly allowOrigin?: string | readonly string[];
  /** The app key's name (`GET /me`). @default 'devnet' */
  readonly appKeyName?: string;
  /** Latency added to every request, ms. @default 0 */
  readonly latency?: number;
  /** Faults in force from the start: a SPEC string (see `parseFaultSpec`) or fault objects. */
  readonly faults?: string | readonly Fault[];
  /** Extra exe-unit commands for `run` (name → handler), passed to the activity module. */
  readonly commands?: Readonly<Record<string, CommandHandler>>;
  /** Options of the payment module (requestor balances per platform, settlement delay). */
  readonly payment?: PaymentModuleOptions;
  /** Extra images for the registry: tag → image bytes (a string is taken as UTF-8). */
  readonly images?: Readonly<Record<string, string | Uint8Array>>;
  /** Subnet mix of the providers, tag → weight, e.g. `{ public: 3, 'devnet-beta': 1 }`. @default { public: 1 } */
  readonly subnets?: Readonly<Record<string, number>>;
  /**
   * Most agreements a provider holds at once (real ya-provider: 1). Further counter-proposals
   * and agreements to a provider at its limit are rejected (`is-final: false`).
   * @default Infinity (devnet practicality: no limit on agreements per provider)
   */
  readonly maxAgreementsPerProvider?: number;
  /** Provider think time before answering a counter-proposal, ms `[min, max]`. @default [5, 50] */
  readonly thinkTimeMs?: readonly [number, number];
  /** Provider delay before approving a confirmed agreement, ms `[min, max]`. @default [5, 30] */
  readonly approvalDelayMs?: readonly [number, number];
  /** Lifetime of a demand subscription, ms. @default 3 600 000 (yagna's 1 h) */
  readonly demandTtlMs?: number;
  /** The clock of every devnet timer and timestamp. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** fastify's logger. @default false */
  readonly logger?: boolean;
}

/** A simulated provider as the handle lists it. */
export interface DevnetProviderInfo {
  readonly id: string;
  readonly name: string;
  readonly offerId: string;
  readonly subnet: string;
  readonly platforms: readonly string[];
}

/** The JSON of `GET /_devnet/stats`: the market's counters merged with every module's. */
export type DevnetStats = MarketStats & {
  requests: ServerCounters;
  /** The GSB services the requestor bound (`/gsb-api/v1`): bound and connected now, and totals. */
  gsb: GsbStats;
  [key: string]: unknown;
};

/** A running devnet. */
export interface DevnetHandle {
  /** Base URL, e.g. `http://127.0.0.1:7465` (use as `YAGNA_API_URL`). */
  readonly url: string;
  /** The app key (use as `YAGNA_APPKEY`). */
  readonly appKey: string;
  /**
   * Base URL of devnet's image registry (use as `GOLEM_REGISTRY_URL`, or `registryUrl` of
   * `vmPackage`): the same server, so images named by tag resolve offline.
   */
  readonly registryUrl: string;
  /** The requestor identity behind the app key. */
  readonly requestorId: string;
  /** The simulated providers. */
  readonly providers: readonly DevnetProviderInfo[];
  /** The fault plan in force; add or clear faults at run time. */
  readonly faults: FaultPlan;
  /** The market as the other modules see it (e.g. `terminateByProvider` in tests). */
  readonly market: MarketFacade;
  /**
   * The requestor's GSB services as a provider reaches them (e.g. a gftp `GetChunk` call), as the
   * exe-units' `gftp://` transfers call them.
   */
  readonly gsb: GsbNetwork;
  /** The same object as `GET /_devnet/stats`. */
  stats(): DevnetStats;
  /** Simulates a daemon restart: every pending long-poll's connection is dropped; state survives. */
  restart(): void;
  /** Ends every long-poll and timer and closes the server. Idempotent. */
  stop(): Promise<void>;
}
