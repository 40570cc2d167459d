/**
 * A small `text/event-stream` reader (the subset yagna uses: `event`, `data`, `id`, comments) and
 * the normalisation of yagna's RuntimeEvents.
 */
import type { RuntimeEventDto } from './types/index.js';
import { isRecord } from '../rx/isRecord.js';

/** One dispatched server-sent event. */
export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen, if any. */
  readonly id: string | undefined;
}

/**
 * Reads server-sent events from a byte stream until it ends. Returning early (breaking out of
 * `for await`) cancels the stream.
 * @param body the response body
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  let done = false;
  try {
    while (!done) {
      const chunk = await reader.read();
      done = chunk.done;
      buffer += done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      // A trailing '\r' may be the first half of '\r\n': keep it for the next chunk.
      const cut = !done && buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
      buffer = (done ? '' : (lines.pop() ?? '')) + buffer.slice(cut);
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: event === '' ? 'message' : event, data: data.join('\n'), id };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
      }
    }
  } finally {
    // Best-effort cleanup: the reader stops early (the consumer left, or the read failed and that
    // error is already on its way up); a failure to cancel an abandoned stream has no one to tell.
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Parses the `data` of a `runtime` event into the Real (snake_case) shape. The spec's camelCase
 * variant (`batchId`, `returnCode`) is accepted and normalised. Returns `undefined` if it is not a
 * RuntimeEvent.
 */
export function toRuntimeEvent(data: string): RuntimeEventDto | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    // Not JSON: not a RuntimeEvent; the caller raises a YagnaProtocolError for it.
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.index !== 'number' || !isRecord(parsed.kind)) return undefined;
  const batchId = parsed.batch_id ?? parsed.batchId;
  if (typeof batchId !== 'string') return undefined;
  let kind = parsed.kind;
  const finished = kind.finished;
  if (isRecord(finished) && finished.return_code === undefined && typeof finished.returnCode === 'number') {
    kind = { finished: { return_code: finished.returnCode, message: finished.message ?? null } };
  }
  return {
    batch_id: batchId,
    index: parsed.index,
    timestamp: typeof parsed.timestamp === 'string' ? parsed.timestamp : '',
    kind: kind as RuntimeEventDto['kind'],
  };
}
