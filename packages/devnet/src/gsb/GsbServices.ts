/**
 * The GSB services the requestor binds through yagna's GSB API, as yagna's `gsb-api` keeps them:
 * each bound address prefix (`on`) with its components, the websocket its requests are relayed
 * to, the requests buffered while no websocket is connected, and the calls awaiting an answer.
 * The simulated exe-units call them as a provider's exe-unit does through the Golem network.
 */
import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { type GsbMap, type GsbValue, decodeGsbFrame, encodeGsbRequest, isGsbMap } from './codec.js';
import { GsbCallError } from './GsbCallError.js';

/** The counters of `GET /_devnet/stats` (`gsb`). */
export interface GsbStats {
  /** Services bound now. */
  bound: number;
  /** Bound services with a websocket connected now. */
  connected: number;
  bindsTotal: number;
  unbindsTotal: number;
  /** GSB calls made to bound services (by the exe-units). */
  calls: number;
  /** Calls that failed (no such service, an error answered, the websocket closed). */
  callErrors: number;
}

interface Pending {
  readonly address: string;
  resolve(value: GsbValue): void;
  reject(error: GsbCallError): void;
}

interface Service {
  readonly servicesId: string;
  readonly on: string;
  readonly components: readonly string[];
  socket: WebSocket | undefined;
  /** Requests relayed while no websocket was connected (yagna buffers them). */
  readonly buffered: Uint8Array[];
  readonly pending: Map<string, Pending>;
}

/** WebSocket close codes yagna uses. */
const NORMAL = 1000;
const GOING_AWAY = 1001;
const UNSUPPORTED = 1003;
const POLICY = 1008;

/** The bound services of one devnet. */
export class GsbServices {
  private readonly services = new Map<string, Service>();
  private readonly counters = { bindsTotal: 0, unbindsTotal: 0, calls: 0, callErrors: 0 };

  /**
   * `POST /services`: binds `components` under `on`.
   * @throws DevnetHttpError 400 for an empty or already bound prefix (yagna's messages)
   */
  bind(on: string, components: readonly string[]): { servicesId: string } {
    if (on === '')
      throw new DevnetHttpError(400, 'Invalid service address prefix: Cannot bind service. Empty prefix.');
    if (this.services.has(on)) throw new DevnetHttpError(400, `Duplicated service address prefix: ${on}`);
    const servicesId = Buffer.from(on, 'utf8').toString('base64url');
    this.services.set(on, {
      servicesId,
      on,
      components,
      socket: undefined,
      buffered: [],
      pending: new Map(),
    });
    this.counters.bindsTotal += 1;
    return { servicesId };
  }

  /**
   * `DELETE /services/{servicesId}`: unbinds; yagna closes the websocket (1000, `Unbinding service:
   * <on>`) and cancels what is pending.
   * @throws DevnetHttpError 400 for an id that is not base64url, 404 for one not bound
   */
  unbind(servicesId: string): void {
    const on = decodeServicesId(servicesId);
    const service = this.services.get(on);
    if (service === undefined)
      throw new DevnetHttpError(404, `Service prefix not found: Cannot find service: ${on}`);
    this.services.delete(on);
    this.counters.unbindsTotal += 1;
    const reason = `Unbinding service: ${on}`;
    this.drop(service, `Normal: ${reason}`);
    service.socket?.close(NORMAL, reason);
    service.socket = undefined;
  }

  /**
   * The bound services a websocket asks for.
   * @throws DevnetHttpError 400 for an id that is not base64url, 404 for one not bound
   */
  check(servicesId: string): void {
    const on = decodeServicesId(servicesId);
    if (!this.services.has(on)) throw new DevnetHttpError(404, `Service prefix not found: ${on}`);
  }

  /**
   * Relays the services' requests to `socket` from now on (buffered ones first); an older socket
   * is closed (1008), as yagna does.
   */
  attach(servicesId: string, socket: WebSocket): void {
    const service = this.services.get(decodeServicesId(servicesId));
    if (service === undefined) {
      socket.close(POLICY, 'Services unbound');
      return;
    }
    const old = service.socket;
    service.socket = socket;
    if (old !== undefined) {
      this.drop(service, 'Policy: Closing old WS connection in favour of new WS connection');
      old.close(POLICY, 'Closing old WS connection in favour of new WS connection');
    }
    socket.on('message', (data: RawData, isBinary: boolean) => this.onFrame(service, socket, data, isBinary));
    socket.on('close', (code: number, reason: Buffer) => {
      if (service.socket !== socket) return;
      service.socket = undefined;
      const text = reason.toString('utf8');
      this.drop(service, `Closed: ${code}${text === '' ? '' : `: ${text}`}`);
    });
    for (const frame of service.buffered.splice(0)) socket.send(frame);
  }

  /**
   * A GSB call to `address` (`<prefix>/<component>`) with `payload`: resolves with the service's
   * `payload`, rejects with {@link GsbCallError} when there is no such service, it answers an error,
   * its websocket closes or `signal` aborts (then with the signal's reason).
   */
  call(address: string, payload: GsbMap, signal: AbortSignal): Promise<GsbValue> {
    this.counters.calls += 1;
    const cut = address.lastIndexOf('/');
    const prefix = address.slice(0, cut);
    const component = address.slice(cut + 1);
    const service = this.services.get(prefix);
    if (service === undefined || !service.components.includes(component)) {
      this.counters.callErrors += 1;
      return Promise.reject(new GsbCallError(`GSB error: no service bound at ${address}`, { address }));
    }
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const id = randomUUID();
    return new Promise<GsbValue>((resolve, reject) => {
      const onAbort = (): void => {
        service.pending.delete(id);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      service.pending.set(id, {
        address,
        resolve: (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          this.counters.callErrors += 1;
          reject(error);
        },
      });
      const frame = encodeGsbRequest(id, component, payload);
      if (service.socket === undefined) service.buffered.push(frame);
      else service.socket.send(frame);
    });
  }

  /** The counters, and how many services are bound and connected now. */
  stats(): GsbStats {
    const all = [...this.services.values()];
    return {
      bound: all.length,
      connected: all.filter((s) => s.socket !== undefined).length,
      ...this.counters,
    };
  }

  /** Closes every websocket (1001) and fails every pending call. Idempotent. */
  close(): void {
    for (const service of this.services.values()) {
      this.drop(service, 'Away: devnet is stopping');
      service.socket?.close(GOING_AWAY, 'devnet is stopping');
      service.socket = undefined;
    }
  }

  private onFrame(service: Service, socket: WebSocket, data: RawData, isBinary: boolean): void {
    if (service.socket !== socket) return;
    if (!isBinary) {
      this.closeSocket(service, socket, UNSUPPORTED, 'Text msg unsupported.');
      return;
    }
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : data;
    const failure = (why: string): void =>
      this.closeSocket(service, socket, POLICY, `Failed to read response. Err: ${why}`);
    let response: GsbValue;
    try {
      response = decodeGsbFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error: unknown) {
      failure(error instanceof Error ? error.message : String(error));
      return;
    }
    if (!isGsbMap(response)) return failure('Missing root map. Err: not a map');
    const id = response.id;
    if (typeof id !== 'string') return failure('Missing response id.');
    const error = response.error;
    const hasError = isGsbMap(error) && Object.keys(error).length > 0;
    if (!hasError && !('payload' in response))
      return failure(`Missing 'payload' and 'error' fields. Id: ${id}.`);
    const pending = service.pending.get(id);
    if (pending === undefined) return; // an answer to nothing pending (cancelled): yagna drops it
    service.pending.delete(id);
    if (hasError) {
      const variant = Object.keys(error)[0]!;
      const value = error[variant];
      const detail = typeof value === 'string' ? `: ${value}` : '';
      pending.reject(new GsbCallError(`${variant}${detail}`, { address: pending.address, variant }));
    } else {
      pending.resolve(response.payload ?? null);
    }
  }

  private closeSocket(service: Service, socket: WebSocket, code: number, reason: string): void {
    service.socket = undefined;
    this.drop(service, `${code === POLICY ? 'Policy' : 'Unsupported'}: ${reason}`);
    socket.close(code, reason.slice(0, 120)); // a close reason is at most 123 bytes
  }

  /** Fails every pending call (yagna's `DropMessages`). */
  private drop(service: Service, why: string): void {
    for (const pending of service.pending.values()) {
      pending.reject(
        new GsbCallError(`GSB error: the service closed (${why})`, { address: pending.address }),
      );
    }
    service.pending.clear();
  }
}

/**
 * The address prefix a `servicesId` names (base64url without padding, strict as yagna's decoder).
 * @throws DevnetHttpError 400 when it is not base64url
 */
export function decodeServicesId(servicesId: string): string {
  const valid = /^[A-Za-z0-9_-]*$/.test(servicesId) && servicesId.length % 4 !== 1;
  const decoded = valid ? Buffer.from(servicesId, 'base64url') : undefined;
  if (decoded === undefined || decoded.toString('base64url') !== servicesId) {
    throw new DevnetHttpError(
      400,
      `Service address should be encoded in base64. Unable to decode. Err: Invalid input: ${JSON.stringify(servicesId)}`,
    );
  }
  return decoded.toString('utf8');
}
