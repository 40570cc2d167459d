import { isOplogIdx } from '../PromiseId.js';
import type { PromiseRecord } from '../PromiseStore.js';

/**
 * How promises sit in a JetStream key-value bucket (module-internal). One key a promise,
 * `<worker>.<oplogIdx>`, whose value is one JSON document:
 *
 * ```text
 * deploy-bot.3  {"v":1,"state":"pending","writer":"…"}
 * deploy-bot.3  {"v":1,"state":"completed","data":"eWVz","writer":"…"}   (compare-and-set on the pending revision)
 * deploy-bot.3  {"v":1,"state":"deleted","writer":"…"}                    (a tombstone: the index is never reused)
 * ```
 *
 * `writer` is a random id per write, so that a write retried after a lost answer recognises its
 * own earlier attempt. The payload is base64, as in the file journal.
 */
export interface KvPromiseValue {
  readonly state: 'pending' | 'completed' | 'deleted';
  /** The payload, when completed. */
  readonly data?: Uint8Array;
  /** Who wrote this value (a random id per write). */
  readonly writer: string;
}

const VERSION = 1;

/**
 * The key token of a worker name: ASCII letters, digits and `-` as they are, every other UTF-8 byte
 * as `_XX` (hex), so that any name maps to one valid key token and back, e.g. `deploy-bot` →
 * `deploy-bot`, `ops_team.eu` → `ops_5Fteam_2Eeu`.
 */
export function workerToken(workerName: string): string {
  let token = '';
  for (const byte of new TextEncoder().encode(workerName)) {
    const char = String.fromCharCode(byte);
    token += /[A-Za-z0-9-]/.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return token;
}

/** The key of one promise: `<worker token>.<oplogIdx>`. */
export function promiseKey(token: string, oplogIdx: number): string {
  return `${token}.${oplogIdx}`;
}

/** The index in a key of this worker, or undefined for a key that is not a promise's. */
export function oplogIdxOfKey(token: string, key: string): number | undefined {
  if (!key.startsWith(`${token}.`)) return undefined;
  const rest = key.slice(token.length + 1);
  if (!/^(0|[1-9]\d{0,15})$/.test(rest)) return undefined;
  const oplogIdx = Number(rest);
  return isOplogIdx(oplogIdx) ? oplogIdx : undefined;
}

/** The JSON document stored under a promise's key. */
export function encodeKvValue(value: KvPromiseValue): string {
  return JSON.stringify({
    v: VERSION,
    state: value.state,
    ...(value.data === undefined ? {} : { data: Buffer.from(value.data).toString('base64') }),
    writer: value.writer,
  });
}

/** Parses a stored document; undefined when it is not one this store wrote. */
export function decodeKvValue(bytes: Uint8Array): KvPromiseValue | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not JSON: the caller reports the key.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, state, data, writer } = parsed as Record<string, unknown>;
  if (v !== VERSION || typeof writer !== 'string') return undefined;
  switch (state) {
    case 'pending':
    case 'deleted':
      return { state, writer };
    case 'completed':
      return typeof data === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(data)
        ? { state, writer, data: new Uint8Array(Buffer.from(data, 'base64')) }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The records that take a promise from what was known (`before`, undefined when nothing was) to
 * `after`: a newly seen completed promise is `created` then `completed`; a deleted one is final, and
 * a step back (completed to pending) is not a change a compare-and-set writer makes, so it yields
 * nothing.
 */
export function recordsBetween(
  oplogIdx: number,
  before: KvPromiseValue['state'] | undefined,
  after: KvPromiseValue,
): PromiseRecord[] {
  if (before === 'deleted' || before === after.state) return [];
  switch (after.state) {
    case 'pending':
      return before === undefined ? [{ type: 'created', oplogIdx }] : [];
    case 'completed': {
      const completed: PromiseRecord = { type: 'completed', oplogIdx, data: after.data ?? new Uint8Array() };
      return before === undefined ? [{ type: 'created', oplogIdx }, completed] : [completed];
    }
    case 'deleted':
      return [{ type: 'deleted', oplogIdx }];
  }
}
