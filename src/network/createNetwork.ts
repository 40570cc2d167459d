/**
 * What `node.createNetwork` does, as an Observable: create the network, then add the requestor.
 *
 * @module
 */
import {
  type Observable,
  catchError,
  concatMap,
  defer,
  endWith,
  ignoreElements,
  map,
  throwError,
} from 'rxjs';
import { NewResource } from '../bus/events.js';
import { createOrRelease, inBackground, voidCall } from '../resources/internals.js';
import type { FlexibleApi } from '../resources/NodeApi.js';
import type { ResourceNode } from '../resources/ResourceNode.js';
import { fromCall } from '../rx/fromCall.js';
import { NetworkError } from './errors/NetworkError.js';
import { type Ipv4Range, contains, formatIpv4, parseIpv4, parseIpv4Network } from './ipv4.js';
import { type NetApi, type NewNetworkDto, netApiOf } from './netApi.js';
import { Network } from './Network.js';

/** The network `createNetwork` makes when no `ip` is given (golem-js's default). */
export const DEFAULT_NETWORK_IP = '192.168.0.0/24';

/** Options of `node.createNetwork`. */
export interface CreateNetworkOptions {
  /**
   * The network, in CIDR notation (`10.0.0.0/16`) or as an address (with `mask`, else /24).
   * @default '192.168.0.0/24'
   */
  ip?: string;
  /** Its mask, dotted (`255.255.0.0`); wins over the prefix of `ip`. */
  mask?: string;
  /** Its gateway. @default the first host, as yagna chooses it */
  gateway?: string;
  /**
   * The requestor's IP in the network. Another than the first host is also added to the
   * requestor's own addresses (`POST /addresses`), so that its connections come from it.
   * @default the first host (`192.168.0.1`)
   */
  requestorIp?: string;
  /**
   * Remove the network when the node closes (after its activities are destroyed).
   * @default true
   */
  autoclose?: boolean;
  /** The net API client. @default one made from the node's yagna client configuration */
  api?: FlexibleApi<NetApi>;
}

/**
 * Checks the options synchronously, then (when subscribed) reads the requestor's identity
 * (`GET /me`), creates the network (`POST /net`) and adds the requestor to it (`POST /nodes`, and
 * `POST /addresses` for a `requestorIp` that is not the first host). The creation is not aborted
 * by an unsubscribe: a network made for a subscriber who left is removed in the background, as
 * is one whose requestor could not be added (the error then goes on).
 *
 * @throws {NetworkError} `invalidAddress` or `addressOutOfRange` for invalid options
 */
export function networkCreation(node: ResourceNode, options: CreateNetworkOptions): Observable<Network> {
  const { body, requestorIp } = checkOptions(options);
  return defer(() => {
    const api = options.api ?? netApiOf(node.api);
    return fromCall((signal) => node.api.identity.getIdentity({ signal })).pipe(
      concatMap(({ identity }) =>
        createOrRelease(
          node,
          fromCall((signal) => api.createNetwork(body, { signal })).pipe(
            map((data) => {
              const network = new Network(node, api, data, identity);
              node.events.emit(new NewResource(network));
              network.setData(data);
              if (options.autoclose ?? true) node.autoclose(network);
              return network;
            }),
            concatMap((network) =>
              joinRequestor(network, api, requestorIp).pipe(
                endWith(network),
                catchError((error: unknown) => {
                  inBackground(network, 'remove', network.remove());
                  return throwError(() => error);
                }),
              ),
            ),
          ),
          (network) => inBackground(network, 'remove', network.remove()),
        ),
      ),
    );
  });
}

function joinRequestor(
  network: Network,
  api: FlexibleApi<NetApi>,
  requestorIp: string | undefined,
): Observable<never> {
  const ip = requestorIp ?? network.firstHost;
  const added$ = network.addNode(network.requestorId, ip).pipe(ignoreElements());
  if (parseIpv4(ip) === parseIpv4(network.firstHost)) return added$;
  return added$.pipe(
    endWith(undefined),
    concatMap(() => voidCall((signal) => api.addAddress(network.id, { ip }, { signal }))),
  );
}

function checkOptions(options: CreateNetworkOptions): { body: NewNetworkDto; requestorIp?: string } {
  const ip = options.ip ?? DEFAULT_NETWORK_IP;
  const range = parseIpv4Network(ip, options.mask);
  if (range === undefined) {
    const given = options.mask === undefined ? ip : `${ip} (mask ${options.mask})`;
    throw new NetworkError({ code: 'invalidAddress', ip }, `createNetwork: ${given} is not an IPv4 network`);
  }
  const gateway = options.gateway === undefined ? undefined : inRange(options.gateway, range, 'gateway');
  const requestorIp =
    options.requestorIp === undefined ? undefined : inRange(options.requestorIp, range, 'requestorIp', true);
  const body: NewNetworkDto = { ip: formatIpv4(range.network), mask: formatIpv4(range.mask) };
  if (gateway !== undefined) body.gateway = gateway;
  return requestorIp === undefined ? { body } : { body, requestorIp };
}

function inRange(ip: string, range: Ipv4Range, option: string, host = false): string {
  const value = parseIpv4(ip);
  if (value === undefined) {
    throw new NetworkError(
      { code: 'invalidAddress', ip },
      `createNetwork: ${option} ${ip} is not an IPv4 address`,
    );
  }
  const inside = host ? value >= range.firstHost && value <= range.lastHost : contains(range, value);
  if (!inside) {
    throw new NetworkError(
      { code: 'addressOutOfRange', ip },
      `createNetwork: ${option} ${ip} is not a ${host ? 'host ' : ''}address of ${formatIpv4(range.network)}/${range.prefix}`,
    );
  }
  return formatIpv4(value);
}
