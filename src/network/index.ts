// src/network: the VPN of the requestor and its providers (yagna's net API v2): `node.createNetwork`,
// its nodes and the exe-units' deploy arguments. Browser-safe; the TCP proxy to a provider's port,
// which opens a local server, is the Node-only entry golem-rx/net (./proxy).

// --- the network
export { Network } from './Network.js';
export { DEFAULT_NETWORK_IP, type CreateNetworkOptions } from './createNetwork.js';
export type { DeployNetworkArgs, NetworkDeployArgs, NetworkMember, NetworkNode } from './members.js';

// --- the net API client
export { NET_API_PATH, createNetApi } from './netApi.js';
export type { NetApi, NetworkAddressDto, NetworkDto, NetworkNodeDto, NewNetworkDto } from './netApi.js';

// --- errors
export { NetworkError, isNetworkError } from './errors/NetworkError.js';
export type { NetworkErrorCode, NetworkErrorContext } from './errors/NetworkError.js';
