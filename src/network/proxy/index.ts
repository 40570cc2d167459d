// golem-rx/net (Node only): the TCP proxy from a local port to a port on a provider in a VPN, over
// yagna's websocket (net API v2). The network itself (`node.createNetwork`) is in the core entry.
export { TcpProxy, createTcpProxy, type TcpProxyEvent, type TcpProxyOptions } from './TcpProxy.js';
export {
  TcpProxyError,
  isTcpProxyError,
  type TcpProxyErrorContext,
  type TcpProxyOperation,
} from './TcpProxyError.js';
