import { isOplogIdx } from './PromiseId.js';
import type { PromiseRecord } from './PromiseStore.js';

/**
 * One line of the journal file (module-internal): a {@link PromiseRecord}, or the index counter
 * that a compacted journal starts with so that indexes of deleted promises are never reused.
 */
export type JournalEntry = PromiseRecord | { readonly type: 'next'; readonly oplogIdx: number };

const VERSION = 1;

/**
 * Renders one entry as a JSON line ending in `\n`; payloads as base64. For example
 * `{"v":1,"type":"completed","oplogIdx":3,"data":"eWVz"}`.
 */
export function encodeJournalLine(entry: JournalEntry): string {
  const line =
    entry.type === 'completed'
      ? {
          v: VERSION,
          type: entry.type,
          oplogIdx: entry.oplogIdx,
          data: Buffer.from(entry.data).toString('base64'),
        }
      : { v: VERSION, type: entry.type, oplogIdx: entry.oplogIdx };
  return `${JSON.stringify(line)}\n`;
}

/** Parses one line (without its `\n`); undefined when it is not a well-formed entry. */
export function decodeJournalLine(line: string): JournalEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not JSON: the caller reports the line (torn tail or corruption) with its number.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, type, oplogIdx, data } = parsed as Record<string, unknown>;
  if (v !== VERSION || !isOplogIdx(oplogIdx)) return undefined;
  switch (type) {
    case 'created':
    case 'deleted':
    case 'next':
      return { type, oplogIdx };
    case 'completed':
      return typeof data === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(data)
        ? { type, oplogIdx, data: new Uint8Array(Buffer.from(data, 'base64')) }
        : undefined;
    default:
      return undefined;
  }
}
