/**
 * The client a {@link GolemNode} talks to: the `src/api` client, or a stub whose functions return
 * Observables (marble tests in virtual time) or Promises.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { ActivityApi, IdentityApi, MarketApi, PaymentApi } from '../api/index.js';
import type { CallResult } from '../rx/fromCall.js';

/** A client function whose Promise may also be an Observable; a stream may be one too. */
export type Flexible<F> = F extends (...args: infer A) => Promise<infer R>
  ? (...args: A) => CallResult<R>
  : F extends (...args: infer A) => AsyncIterable<infer R>
    ? (...args: A) => AsyncIterable<R> | Observable<R>
    : F;

/** Every function of a client group made {@link Flexible}. */
export type FlexibleApi<T> = { readonly [K in keyof T]: Flexible<T[K]> };

/**
 * The yagna functions the resource layer calls. `createYagnaApi()` satisfies it; so does a test
 * stub whose functions return `cold()` Observables (the last argument of each function carries
 * the `AbortSignal` for the Promise flavour).
 */
export interface NodeApi {
  readonly market: FlexibleApi<MarketApi>;
  readonly activity: FlexibleApi<ActivityApi>;
  readonly payment: FlexibleApi<PaymentApi>;
  readonly identity: FlexibleApi<IdentityApi>;
}
