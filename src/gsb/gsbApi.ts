/**
 * yagna's GSB API (`gsb-api.yaml`, `/gsb-api/v1`): bind services (`POST /services`), unbind them
 * (`DELETE /services/{servicesId}`), and the websocket URL their requests arrive at; plus the node
 * id behind the app key (`GET /me`), which names the `gftp://` URLs. Over the client's transport
 * (`createYagnaHttp`): an AbortSignal and a client timeout on every call, one retry layer (DELETE
 * and GET retried on transient failures, POST never), typed `YagnaError`s with the app key redacted.
 *
 * @module
 */
import type { YagnaConfig } from '../api/config.js';
import { type CallOptions, type YagnaRequest, createYagnaHttp } from '../api/http.js';
import { createIdentityApi } from '../api/identity.js';
import { YagnaProtocolError } from '../api/errors/YagnaProtocolError.js';
import { asObject, endpointOf } from '../api/parse.js';
import { redactText } from '../api/scrub.js';

/** The base path of the GSB API under the API root. */
export const GSB_API_PATH = '/gsb-api/v1';

/** What `POST /services` binds: `components` (message types) under the address prefix `on`. */
export interface GsbListen {
  /** The GSB address prefix, e.g. `/public/gftp/<file id>`. */
  readonly on: string;
  /** The message types served there, e.g. `['GetMetadata', 'GetChunk']`. */
  readonly components: readonly string[];
}

/** yagna's answer to `POST /services` (`ServicesResponse`). */
export interface GsbServicesDto {
  /** The base64url of `listen.on`: it names the services' websocket and their `DELETE`. */
  servicesId: string;
  listen: { on: string; components: string[] };
}

/** The GSB API functions, and the websocket URL of bound services. */
export interface GsbApi {
  /** The client configuration (API root, app key: non-enumerable). */
  readonly config: YagnaConfig;
  /** `POST /services`: binds the services. 400 when the address is bound already. Never retried. */
  bindServices(listen: GsbListen, options?: CallOptions): Promise<GsbServicesDto>;
  /** `DELETE /services/{servicesId}`: unbinds them; yagna closes their websocket. 404 when unknown. */
  unbindServices(servicesId: string, options?: CallOptions): Promise<void>;
  /** `GET /me`: the node id behind the app key. */
  nodeId(options?: CallOptions): Promise<string>;
  /** The services' websocket URL (`ws:` or `wss:`), without the app key. */
  socketUrl(servicesId: string): string;
  /** `text` with the app key (and any `authToken=` value) masked. */
  redact(text: string): string;
}

/**
 * Creates the GSB API functions over a configuration (`createYagnaApi(…).config`).
 *
 * @example
 * ```ts
 * const gsb = createGsbApi(createYagnaApi().config);
 * const { servicesId } = await gsb.bindServices({ on: '/public/gftp/abc', components: ['GetMetadata'] });
 * ```
 */
export function createGsbApi(config: YagnaConfig): GsbApi {
  const http = createYagnaHttp(config);
  const identity = createIdentityApi(http);
  return {
    config,
    async bindServices(listen, options) {
      const request: YagnaRequest = {
        api: 'root',
        method: 'POST',
        path: `${GSB_API_PATH}/services`,
        body: { listen: { on: listen.on, components: [...listen.components] } },
        retry: 'never',
      };
      const dto = asObject<GsbServicesDto>(await http.call(request, options), request);
      if (typeof dto.servicesId !== 'string' || dto.servicesId === '') {
        const endpoint = endpointOf(request);
        throw new YagnaProtocolError(`${endpoint} answered without a servicesId`, { endpoint, params: {} });
      }
      return dto;
    },
    async unbindServices(servicesId, options) {
      const request: YagnaRequest = {
        api: 'root',
        method: 'DELETE',
        path: `${GSB_API_PATH}/services/{servicesId}`,
        params: { servicesId },
        retry: 'idempotent',
        expect: 'none',
      };
      await http.call(request, options);
    },
    async nodeId(options) {
      return (await identity.getIdentity(options)).identity;
    },
    socketUrl(servicesId) {
      const url = new URL(
        `${config.apiUrl.replace(/\/+$/, '')}${GSB_API_PATH}/services/${encodeURIComponent(servicesId)}`,
      );
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return url.toString();
    },
    redact(text) {
      return redactText(text, [config.appKey]);
    },
  };
}
