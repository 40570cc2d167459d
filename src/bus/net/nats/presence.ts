import { isRecord } from '../../../rx/isRecord.js';
import { PROTOCOL_VERSION, type HelloFrame } from '../wire/frames.js';

/**
 * Who an endpoint on NATS is right now: `inst` is drawn when it starts, `ep` (its epoch) counts
 * its NATS reconnections. A remote with another `inst`, or the same with a higher `ep`, is a new
 * connection: the old one is closed (its pending requests rejected) and a new handshake starts.
 */
export interface Session {
  readonly inst: string;
  readonly ep: number;
}

/** A session and the heartbeat interval its endpoint keeps. */
export interface Presence extends Session {
  /** Milliseconds between the endpoint's heartbeats. */
  readonly hb: number;
}

/** `here`: an announcement or heartbeat; `bye`: the endpoint is closing. Sent on `<p>.p.<name>`. */
export type PresenceMessage =
  | ({ readonly k: 'here'; readonly v: number } & Presence)
  | ({ readonly k: 'bye'; readonly v: number } & Session);

/** What a `hello` on NATS carries beside the socket protocol's fields. */
export interface HelloSession extends Presence {
  /** This hello answers the remote's own: do not answer it again. */
  readonly ans: boolean;
}

/** A hello on NATS: the socket protocol's, plus the sender's session. */
export type NatsHelloFrame = HelloFrame & HelloSession;

const INSTANCE_PATTERN = /^[A-Za-z0-9]{1,64}$/;

/** The longest heartbeat interval accepted from a remote (an hour). */
const MAX_HEARTBEAT_MS = 3_600_000;

function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isHeartbeat(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_HEARTBEAT_MS;
}

function isInstance(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_PATTERN.test(value);
}

/** Order `next` against the session `current` of the same name. */
export function compareSessions(current: Session | undefined, next: Session): 'same' | 'newer' | 'stale' {
  if (current === undefined || current.inst !== next.inst) return current === undefined ? 'same' : 'newer';
  return next.ep > current.ep ? 'newer' : next.ep < current.ep ? 'stale' : 'same';
}

/** Serialise a presence message. */
export function encodePresence(message: PresenceMessage): Uint8Array {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

/** Parse and check a presence message; returns it, or why it is not one. Pure data validation. */
export function decodePresence(data: Uint8Array): PresenceMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return 'presence is not JSON';
  }
  if (!isRecord(value) || typeof value.v !== 'number') return 'not a presence message';
  const { k, v, inst, ep, hb } = value;
  if (!isInstance(inst) || !isEpoch(ep)) return 'bad session in presence';
  if (k === 'bye') return { k, v, inst, ep };
  if (k === 'here' && isHeartbeat(hb)) return { k, v, inst, ep, hb };
  return 'bad presence message';
}

/** The session fields of a received `hello`, or why they are missing or wrong. */
export function helloSession(hello: HelloFrame): HelloSession | string {
  const value: unknown = hello;
  if (!isRecord(value)) return 'not a hello';
  const { inst, ep, hb, ans } = value;
  if (!isInstance(inst) || !isEpoch(ep) || !isHeartbeat(hb)) return 'a hello without a valid NATS session';
  if (ans !== undefined && typeof ans !== 'boolean') return 'a hello with a bad ans';
  return { inst, ep, hb, ans: ans === true };
}

/** Build the hello this endpoint sends on NATS. */
export function natsHello(
  name: string,
  subscriptions: { readonly seq: number; readonly subs: readonly string[] },
  presence: Presence,
  ans: boolean,
): NatsHelloFrame {
  return {
    k: 'hello',
    v: PROTOCOL_VERSION,
    name,
    seq: subscriptions.seq,
    subs: subscriptions.subs,
    inst: presence.inst,
    ep: presence.ep,
    hb: presence.hb,
    ans,
  };
}
