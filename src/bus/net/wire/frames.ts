import { EVENT_TYPE_PATTERN } from '../EventRegistry.js';
import { isRecord } from '../../../rx/isRecord.js';

/** The protocol version carried in `hello`; a peer speaking another one is rejected. */
export const PROTOCOL_VERSION = 1;

/** Endpoint names: a letter or digit, then letters, digits and `._-`, at most 128 characters. */
export const ENDPOINT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Request ids: `<endpoint name>:<counter>`. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}:[0-9]{1,16}$/;

/** The most event types one subscription frame may list. */
const MAX_SUBSCRIBED_TYPES = 10_000;

/** The most binary attachments one event may carry. */
const MAX_ATTACHMENTS = 1_000;

/** First frame each way: who I am and what I subscribe to (acknowledged by an `ack`). */
export interface HelloFrame {
  readonly k: 'hello';
  readonly v: number;
  readonly name: string;
  readonly seq: number;
  readonly subs: readonly string[];
}
/** The server's refusal of a `hello`; the connection closes after it. */
export interface RejectFrame {
  readonly k: 'reject';
  readonly reason: string;
}
/** The full set of event types the sender subscribes to, numbered by `seq`. */
export interface SubsFrame {
  readonly k: 'subs';
  readonly seq: number;
  readonly subs: readonly string[];
}
/** The receiver has applied the sender's subscriptions up to `seq`. */
export interface AckFrame {
  readonly k: 'ack';
  readonly seq: number;
}
/**
 * An event: its tag, its JSON payload, a request id (`req`) or the id it answers (`re`), and the
 * lengths of its binary attachments (`b`), which follow the JSON in the frame body.
 */
export interface EventFrame {
  readonly k: 'ev';
  readonly t: string;
  readonly p: unknown;
  readonly req?: string;
  readonly re?: string;
  readonly b?: readonly number[];
  /** The attachments themselves, cut from the body by the decoder (never read from the JSON). */
  readonly bin?: readonly Buffer[];
}
/** The request `re` reached an endpoint that has no subscriber for it any longer. */
export interface NoResponderFrame {
  readonly k: 'nores';
  readonly re: string;
}

/** Every frame of the protocol. */
export type Frame = HelloFrame | RejectFrame | SubsFrame | AckFrame | EventFrame | NoResponderFrame;

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTypeList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_SUBSCRIBED_TYPES &&
    value.every((t) => typeof t === 'string' && EVENT_TYPE_PATTERN.test(t))
  );
}

function isLengthList(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.length <= MAX_ATTACHMENTS && value.every(isSeq);
}

function optionalRequestId(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && REQUEST_ID_PATTERN.test(value));
}

/** An event frame of exactly the known fields (the absent ones left out). */
function eventFrame(
  t: string,
  p: unknown,
  req: unknown,
  re: unknown,
  b: readonly number[] | undefined,
): EventFrame {
  const frame: { -readonly [K in keyof EventFrame]: EventFrame[K] } = { k: 'ev', t, p };
  if (typeof req === 'string') frame.req = req;
  if (typeof re === 'string') frame.re = re;
  if (b !== undefined) frame.b = b;
  return frame;
}

/**
 * Check that a parsed JSON value is one of the protocol's frames. Returns the frame, or a short
 * reason why it is not one. Pure data validation: nothing in the value is called, and an event
 * frame is rebuilt from its known fields only.
 */
export function validateFrame(value: unknown): Frame | string {
  if (!isRecord(value)) return 'not a JSON object';
  switch (value.k) {
    case 'ev':
      if (typeof value.t !== 'string' || !EVENT_TYPE_PATTERN.test(value.t)) return 'bad event type tag';
      if (!optionalRequestId(value.req) || !optionalRequestId(value.re)) return 'bad request id';
      if (value.req !== undefined && value.re !== undefined) return 'both req and re';
      if (value.b !== undefined && !isLengthList(value.b)) return 'bad attachment lengths';
      return eventFrame(value.t, value.p, value.req, value.re, value.b);
    case 'subs':
      return isSeq(value.seq) && isTypeList(value.subs) ? (value as unknown as SubsFrame) : 'bad subs frame';
    case 'ack':
      return isSeq(value.seq) ? (value as unknown as AckFrame) : 'bad ack frame';
    case 'hello':
      return typeof value.v === 'number' &&
        typeof value.name === 'string' &&
        ENDPOINT_NAME_PATTERN.test(value.name) &&
        isSeq(value.seq) &&
        isTypeList(value.subs)
        ? (value as unknown as HelloFrame)
        : 'bad hello frame';
    case 'reject':
      return typeof value.reason === 'string' && value.reason.length <= 1000
        ? (value as unknown as RejectFrame)
        : 'bad reject frame';
    case 'nores':
      return typeof value.re === 'string' && optionalRequestId(value.re)
        ? (value as unknown as NoResponderFrame)
        : 'bad nores frame';
    default:
      return 'unknown frame kind';
  }
}
