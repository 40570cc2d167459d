/**
 * Configuration of the yagna client. The environment is read here and nowhere else.
 */
import { YagnaArgumentError } from './errors/YagnaArgumentError.js';
import type { YagnaExchange } from './exchange.js';
import { redactText } from './scrub.js';

/** The default API root of a local yagna (`--api-url`). */
export const DEFAULT_YAGNA_API_URL = 'http://127.0.0.1:7465';

/** Base paths of the APIs under the API root (REQUESTOR-GUIDE §1.1). */
export const YAGNA_BASE_PATHS = {
  market: '/market-api/v1',
  activity: '/activity-api/v1',
  payment: '/payment-api/v1',
  identity: '',
  root: '',
} as const;

/** One yagna API group; `root` serves `/version/get`. */
export type YagnaApiName = keyof typeof YAGNA_BASE_PATHS;

/** Retry of transient failures (network, 5xx, 408) on idempotent calls. */
export interface RetryConfig {
  /**
   * Retries after the first attempt (0 disables retrying).
   * @default 2
   */
  readonly limit: number;
  /**
   * Backoff before the first retry, in ms; it doubles with every retry, jittered to [½, 1] of it.
   * @default 250
   */
  readonly baseMs: number;
  /**
   * Cap of one backoff, in ms.
   * @default 5000
   */
  readonly maxMs: number;
}

/** Options of {@link createYagnaApi} and {@link resolveYagnaConfig}. Unset options fall back to the environment. */
export interface YagnaApiOptions {
  /** API root. Falls back to `YAGNA_API_URL`, then `http://127.0.0.1:7465`. */
  url?: string;
  /** The app key (sent as `Authorization: Bearer …`). Falls back to `YAGNA_APPKEY`. */
  appKey?: string;
  /** Full base URL of the market API. Falls back to `YAGNA_MARKET_URL` (only when `url` is not given), then `<url>/market-api/v1`. */
  marketUrl?: string;
  /** Full base URL of the activity API. Falls back to `YAGNA_ACTIVITY_URL` (only when `url` is not given), then `<url>/activity-api/v1`. */
  activityUrl?: string;
  /** Full base URL of the payment API. Falls back to `YAGNA_PAYMENT_URL` (only when `url` is not given), then `<url>/payment-api/v1`. */
  paymentUrl?: string;
  /** Base URL under which `/me` lives. Falls back to `YAGNA_IDENTITY_URL` (only when `url` is not given), then `<url>`. */
  identityUrl?: string;
  /**
   * Default client timeout of one attempt, in ms (request and body). Per call: `{ timeoutMs }`.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * How far above a long-poll's server-side `timeout` the client timeout is set, in ms.
   * @default 5000
   */
  longPollMarginMs?: number;
  /** Retry of idempotent calls; `false` disables it. */
  retry?: Partial<RetryConfig> | false;
  /**
   * Observer of every HTTP exchange (one per attempt), for tracing and contract tests.
   * It must not throw: if it does, the call rejects with its error.
   */
  onExchange?: (exchange: YagnaExchange) => void;
}

/** The resolved configuration. The app key is a non-enumerable property, left out of JSON and `util.inspect`. */
export interface YagnaConfig {
  /** API root, without a trailing slash (`/version/get` lives here). */
  readonly apiUrl: string;
  /** Base URL of the market API. */
  readonly marketUrl: string;
  /** Base URL of the activity API. */
  readonly activityUrl: string;
  /** Base URL of the payment API. */
  readonly paymentUrl: string;
  /** Base URL of the identity API (`/me`). */
  readonly identityUrl: string;
  /** The app key, or `undefined` when none is configured (then yagna answers 401). Non-enumerable. */
  readonly appKey: string | undefined;
  /** Default client timeout of one attempt, in ms. */
  readonly timeoutMs: number;
  /** Margin of a long-poll's client timeout above its server-side timeout, in ms. */
  readonly longPollMarginMs: number;
  /** Retry of idempotent calls (`limit: 0` = off). */
  readonly retry: RetryConfig;
  /** The exchange observer, if any. */
  readonly onExchange: ((exchange: YagnaExchange) => void) | undefined;
}

/** An environment: `process.env` or a plain object in tests. */
export type YagnaEnv = Readonly<Record<string, string | undefined>>;

const DEFAULT_RETRY: RetryConfig = { limit: 2, baseMs: 250, maxMs: 5_000 };

function processEnv(): YagnaEnv {
  return typeof process === 'undefined' ? {} : process.env;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function checkUrl(value: string, argument: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new YagnaArgumentError(`${argument} is not a valid URL`, { argument });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new YagnaArgumentError(`${argument} must be an http(s) URL, got ${parsed.protocol}`, { argument });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new YagnaArgumentError(`${argument} must not carry credentials; use the app key`, { argument });
  }
  parsed.pathname = parsed.pathname.replace(/\/+$/, '');
  return parsed.toString().replace(/\/(?=\?|#|$)/, '');
}

/** Joins a base path to a root URL, keeping the root's query string (e.g. `?authToken=`) at the end. */
function join(root: string, basePath: string): string {
  const url = new URL(root);
  url.pathname = url.pathname.replace(/\/+$/, '') + basePath;
  return url.toString().replace(/\/(?=\?|#|$)/, '');
}

function checkNonNegative(value: number, argument: string, integer = false): number {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new YagnaArgumentError(`${argument} must be a non-negative ${integer ? 'integer' : 'number'}`, {
      argument,
    });
  }
  return value;
}

function checkPositive(value: number, argument: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new YagnaArgumentError(`${argument} must be a positive number`, { argument });
  }
  return value;
}

function resolveRetry(retry: YagnaApiOptions['retry']): RetryConfig {
  if (retry === false) return { ...DEFAULT_RETRY, limit: 0 };
  const merged = { ...DEFAULT_RETRY, ...retry };
  return {
    limit: checkNonNegative(merged.limit, 'retry.limit', true),
    baseMs: checkNonNegative(merged.baseMs, 'retry.baseMs'),
    maxMs: checkNonNegative(merged.maxMs, 'retry.maxMs'),
  };
}

/**
 * Resolves the client configuration from explicit options and the environment.
 *
 * Rules (REQUESTOR-GUIDE §1.2): options win over the environment. The API root is `options.url`,
 * else `YAGNA_API_URL`, else `http://127.0.0.1:7465`. Each API's base is its explicit option, else
 * its `YAGNA_*_URL` variable used verbatim, else `<root>/<base path>`; when `options.url` is given
 * the per-API variables are ignored, so an explicit root is never split across two daemons by a
 * stray environment. The app key is `options.appKey`, else `YAGNA_APPKEY`. Empty values count as unset.
 *
 * @param options explicit options
 * @param env the environment (default `process.env`); tests pass a plain object
 * @returns the resolved, frozen configuration
 * @throws {YagnaArgumentError} on an invalid URL, timeout or retry option
 * @example
 * const config = resolveYagnaConfig({}, { YAGNA_API_URL: 'http://10.0.0.5:7465', YAGNA_APPKEY: 'k' });
 * config.marketUrl; // 'http://10.0.0.5:7465/market-api/v1'
 */
export function resolveYagnaConfig(options: YagnaApiOptions = {}, env: YagnaEnv = processEnv()): YagnaConfig {
  const explicitRoot = nonEmpty(options.url);
  const apiUrl = checkUrl(explicitRoot ?? nonEmpty(env.YAGNA_API_URL) ?? DEFAULT_YAGNA_API_URL, 'url');
  const perApi = (
    option: string | undefined,
    variable: string,
    basePath: string,
    argument: string,
  ): string => {
    const fromEnv = explicitRoot === undefined ? nonEmpty(env[variable]) : undefined;
    const chosen = nonEmpty(option) ?? fromEnv;
    return chosen === undefined ? join(apiUrl, basePath) : checkUrl(chosen, argument);
  };
  const config = {
    apiUrl,
    marketUrl: perApi(options.marketUrl, 'YAGNA_MARKET_URL', YAGNA_BASE_PATHS.market, 'marketUrl'),
    activityUrl: perApi(options.activityUrl, 'YAGNA_ACTIVITY_URL', YAGNA_BASE_PATHS.activity, 'activityUrl'),
    paymentUrl: perApi(options.paymentUrl, 'YAGNA_PAYMENT_URL', YAGNA_BASE_PATHS.payment, 'paymentUrl'),
    identityUrl: perApi(options.identityUrl, 'YAGNA_IDENTITY_URL', YAGNA_BASE_PATHS.identity, 'identityUrl'),
    timeoutMs: checkPositive(options.timeoutMs ?? 30_000, 'timeoutMs'),
    longPollMarginMs: checkNonNegative(options.longPollMarginMs ?? 5_000, 'longPollMarginMs'),
    retry: resolveRetry(options.retry),
    onExchange: options.onExchange,
  };
  const appKey = nonEmpty(options.appKey) ?? nonEmpty(env.YAGNA_APPKEY);
  // The key stays out of JSON and util.inspect; so do `authToken` values a user put in a URL.
  const redacted = (): Record<string, unknown> => ({
    ...Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? redactText(v, [appKey]) : v]),
    ),
    appKey: appKey === undefined ? undefined : '***',
  });
  Object.defineProperties(config, {
    appKey: { value: appKey, enumerable: false },
    toJSON: { value: redacted, enumerable: false },
    [Symbol.for('nodejs.util.inspect.custom')]: { value: redacted, enumerable: false },
  });
  return Object.freeze(config as typeof config & { appKey: string | undefined });
}
