/**
 * yagna's net API (VPN), version 2 (`/net-api/v2/vpn`, net-api-v2.yaml): one Promise function per
 * requestor endpoint, over the client's transport (one retry layer: GET and DELETE retried, POST
 * never), and the websocket URL of a TCP connection.
 *
 * The transport reaches the API under the root URL (`<YAGNA_API_URL>/net-api/v2/vpn`); the
 * `YAGNA_NET_URL` override of ya-client is not read.
 *
 * @module
 */
import type { YagnaConfig } from '../api/config.js';
import { type CallOptions, type YagnaRequest, createYagnaHttp } from '../api/http.js';
import { asArray, asObject } from '../api/parse.js';
import { NetworkError } from './errors/NetworkError.js';

/** The base path of the net API v2's VPN endpoints under the API root. */
export const NET_API_PATH = '/net-api/v2/vpn';

/** Body of `POST /net`. `ip` may carry its prefix (`192.168.0.0/24`); `mask` wins over it. */
export interface NewNetworkDto {
  ip: string;
  mask?: string;
  gateway?: string;
}

/**
 * A network as yagna answers it. Real: `ip` carries the prefix (`192.168.0.0/24`), `gateway`
 * defaults to the first host.
 */
export interface NetworkDto {
  id: string;
  ip: string;
  mask: string;
  gateway: string;
}

/** A node of a network: a node id (provider or requestor) and its IP. */
export interface NetworkNodeDto {
  id: string;
  ip: string;
}

/** One of the requestor's own addresses in a network (Real: with its prefix, `192.168.0.1/24`). */
export interface NetworkAddressDto {
  ip: string;
}

/** The net API functions (requestor side). */
export interface NetApi {
  /** The client configuration (API root, app key: non-enumerable). */
  readonly config: YagnaConfig;
  /** `GET /net`: the networks of the app key's identity. */
  getNetworks(options?: CallOptions): Promise<NetworkDto[]>;
  /** `POST /net`: creates a network. 400 on an invalid address or mask. */
  createNetwork(body: NewNetworkDto, options?: CallOptions): Promise<NetworkDto>;
  /** `GET /net/{networkId}`. 404 when the identity has no network, 403 when not this one. */
  getNetwork(networkId: string, options?: CallOptions): Promise<NetworkDto>;
  /** `DELETE /net/{networkId}`: removes the network and its connections. */
  removeNetwork(networkId: string, options?: CallOptions): Promise<void>;
  /** `GET /net/{networkId}/addresses`: the requestor's own addresses in the network. */
  getAddresses(networkId: string, options?: CallOptions): Promise<NetworkAddressDto[]>;
  /** `POST /net/{networkId}/addresses`: gives the requestor another address in the network. */
  addAddress(networkId: string, address: NetworkAddressDto, options?: CallOptions): Promise<void>;
  /** `GET /net/{networkId}/nodes`: the nodes, one entry per IP. */
  getNodes(networkId: string, options?: CallOptions): Promise<NetworkNodeDto[]>;
  /** `POST /net/{networkId}/nodes`: adds a node. Real: an IP already taken is ignored (200). */
  addNode(networkId: string, node: NetworkNodeDto, options?: CallOptions): Promise<void>;
  /** `DELETE /net/{networkId}/nodes/{nodeId}`: removes a node (200 also for an unknown one). */
  removeNode(networkId: string, nodeId: string, options?: CallOptions): Promise<void>;
  /**
   * The websocket URL of a TCP connection to `ip:port` in the network
   * (`ws(s)://…/net-api/v2/vpn/net/{networkId}/tcp/{ip}/{port}`); authenticate with the app key
   * as a Bearer header. Any query of the API root (`?authToken=`) is kept.
   */
  tcpUrl(networkId: string, ip: string, port: number): string;
}

const ROOT_PATH = `${NET_API_PATH}/net`;

function request(
  method: YagnaRequest['method'],
  path: string,
  params: Record<string, string> = {},
  body?: unknown,
): YagnaRequest {
  return {
    api: 'root',
    method,
    path: `${ROOT_PATH}${path}`,
    params,
    body,
    retry: method === 'POST' ? 'never' : 'idempotent',
    expect: method === 'GET' || path === '' ? 'json' : 'none',
  };
}

/**
 * Builds the net API functions over a transport of its own, made from `config`.
 *
 * @param config the yagna client's resolved configuration (`createYagnaApi(…).config`)
 * @returns the functions
 * @example
 * const net = createNetApi(createYagnaApi({ url, appKey }).config);
 * const network = await net.createNetwork({ ip: '192.168.0.0/24' });
 */
export function createNetApi(config: YagnaConfig): NetApi {
  const http = createYagnaHttp(config);
  const call = async (req: YagnaRequest, options?: CallOptions): Promise<unknown> => http.call(req, options);
  return {
    config,
    async getNetworks(options) {
      const req = request('GET', '');
      return asArray<NetworkDto>(await call(req, options), req);
    },
    async createNetwork(body, options) {
      const req = request('POST', '', {}, body);
      return asObject<NetworkDto>(await call(req, options), req);
    },
    async getNetwork(networkId, options) {
      const req = request('GET', '/{networkId}', { networkId });
      return asObject<NetworkDto>(await call(req, options), req);
    },
    async removeNetwork(networkId, options) {
      await call(request('DELETE', '/{networkId}', { networkId }), options);
    },
    async getAddresses(networkId, options) {
      const req = request('GET', '/{networkId}/addresses', { networkId });
      return asArray<NetworkAddressDto>(await call(req, options), req);
    },
    async addAddress(networkId, address, options) {
      await call(request('POST', '/{networkId}/addresses', { networkId }, address), options);
    },
    async getNodes(networkId, options) {
      const req = request('GET', '/{networkId}/nodes', { networkId });
      return asArray<NetworkNodeDto>(await call(req, options), req);
    },
    async addNode(networkId, node, options) {
      await call(request('POST', '/{networkId}/nodes', { networkId }, node), options);
    },
    async removeNode(networkId, nodeId, options) {
      await call(request('DELETE', '/{networkId}/nodes/{nodeId}', { networkId, nodeId }), options);
    },
    tcpUrl(networkId, ip, port) {
      const url = new URL(config.apiUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const segments = [networkId, 'tcp', ip, String(port)].map(encodeURIComponent).join('/');
      url.pathname = `${url.pathname.replace(/\/+$/, '')}${ROOT_PATH}/${segments}`;
      return url.toString();
    },
  };
}

const clients = new WeakMap<object, NetApi>();

/**
 * The net API of a node's yagna client: made once per client from its configuration
 * (`createYagnaApi(…).config`), which the default client of a `GolemNode` has.
 *
 * @throws {NetworkError} `noClient` for a client without a configuration (an injected stub)
 */
export function netApiOf(api: object): NetApi {
  const known = clients.get(api);
  if (known !== undefined) return known;
  const config = (api as { readonly config?: unknown }).config;
  if (!isYagnaConfig(config)) {
    throw new NetworkError(
      { code: 'noClient' },
      "The node's yagna client has no configuration to reach the net API from: pass `api` to createNetwork",
    );
  }
  const created = createNetApi(config);
  clients.set(api, created);
  return created;
}

function isYagnaConfig(value: unknown): value is YagnaConfig {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<YagnaConfig>).apiUrl === 'string' &&
    typeof (value as Partial<YagnaConfig>).retry === 'object'
  );
}
