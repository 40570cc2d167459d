/**
 * Identity (`GET /me`) and version (`GET /version/get`, unauthenticated) — REQUESTOR-GUIDE §1.3.
 */
import type { CallOptions, YagnaHttp, YagnaRequest } from './http.js';
import { asObject } from './parse.js';
import type { IdentityDto, VersionDto } from './types/index.js';

/** The identity function. */
export interface IdentityApi {
  /** `GET /me`: the identity (NodeId) and name behind the app key. 401 `YagnaUnauthorizedError` on a bad key. */
  getIdentity(options?: CallOptions): Promise<IdentityDto>;
}

/** The version function. */
export interface VersionApi {
  /** `GET /version/get`: the daemon's version (no app key needed). */
  getVersion(options?: CallOptions): Promise<VersionDto>;
}

/**
 * Builds the identity function over a transport.
 * @param http the transport (see {@link createYagnaHttp})
 * @returns the identity group of {@link createYagnaApi}
 */
export function createIdentityApi(http: YagnaHttp): IdentityApi {
  return {
    async getIdentity(options) {
      const request: YagnaRequest = { api: 'identity', method: 'GET', path: '/me', retry: 'idempotent' };
      return asObject<IdentityDto>(await http.call(request, options), request);
    },
  };
}

/**
 * Builds the version function over a transport.
 * @param http the transport (see {@link createYagnaHttp})
 * @returns the version group of {@link createYagnaApi}
 */
export function createVersionApi(http: YagnaHttp): VersionApi {
  return {
    async getVersion(options) {
      const request: YagnaRequest = { api: 'root', method: 'GET', path: '/version/get', retry: 'idempotent' };
      return asObject<VersionDto>(await http.call(request, options), request);
    },
  };
}
