import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createYagnaApi } from '../../src/api/index.js';
import { readServerSentEvents } from '../../src/api/sse.js';
import type { RuntimeEventDto } from '../../src/api/types/index.js';
import { isYagnaNetworkError } from '../../src/api/errors/YagnaNetworkError.js';
import { isYagnaNotFoundError } from '../../src/api/errors/YagnaNotFoundError.js';
import { isYagnaProtocolError } from '../../src/api/errors/YagnaProtocolError.js';
import { send, startTinyServer, type TinyServer } from './support/tinyServer.js';

const started = {
  batch_id: 'b1',
  index: 0,
  timestamp: '2022-06-23T10:42:38.626573153',
  kind: { started: { command: { deploy: {} } } },
};
const finished = {
  batch_id: 'b1',
  index: 0,
  timestamp: '2022-06-23T10:42:38.7',
  kind: { finished: { return_code: 0, message: null } },
};

let server: TinyServer;
let mode: 'stream' | 'notfound' | 'garbage' | 'break' = 'stream';

beforeAll(async () => {
  server = await startTinyServer((_req, res) => {
    if (mode === 'notfound') return send(res, 404, { message: 'Batch not found' });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (mode === 'garbage') {
      res.write('event: runtime\ndata: {"nope":1}\n\n');
      return;
    }
    // Chunks split mid-line and between \r and \n; a comment; an event of another type; two data lines.
    res.write(':ping\r');
    res.write('\nevent: runtime\r\ndata: ' + JSON.stringify(started).slice(0, 20));
    res.write(JSON.stringify(started).slice(20) + '\r');
    res.write('\nid: 0\r\n\r\n');
    res.write('event: other\ndata: {}\n\n');
    res.write(`event: runtime\ndata: ${JSON.stringify(finished)}\nid: 1\n\n`);
    res.write(
      `event: runtime\ndata: {"batchId":"b1","index":1,\ndata: "timestamp":"t","kind":{"finished":{"returnCode":2,"message":"boom"}}}\n\n`,
    );
    if (mode === 'break') setTimeout(() => res.socket?.destroy(), 20);
    // 'stream': like yagna, keep the connection open after the batch.
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  mode = 'stream';
});

const api = () => createYagnaApi({ url: server.url, appKey: 'sse-key-123456' }, {});

async function collect(iterable: AsyncIterable<RuntimeEventDto>, n: number): Promise<RuntimeEventDto[]> {
  const out: RuntimeEventDto[] = [];
  for await (const e of iterable) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe('streamBatchResults', () => {
  it('is lazy, asks for text/event-stream, yields runtime events in order (normalised), and closes on break', async () => {
    const iterable = api().activity.streamBatchResults('act-1', 'b1');
    expect(server.requests).toHaveLength(0);
    const before = server.abandoned();
    const events = await collect(iterable, 3);
    expect(events).toEqual([
      started,
      finished,
      { batch_id: 'b1', index: 1, timestamp: 't', kind: { finished: { return_code: 2, message: 'boom' } } },
    ]);
    const seen = server.requests[0]!;
    expect(seen.path).toBe('/activity-api/v1/activity/act-1/exec/b1');
    expect(seen.headers.accept).toBe('text/event-stream');
    expect(seen.headers.authorization).toBe('Bearer sse-key-123456');
    await server.waitForAbandoned(before + 1);
  });

  it('ends quietly when the signal aborts, and the server sees the socket close', async () => {
    const controller = new AbortController();
    const before = server.abandoned();
    const got: RuntimeEventDto[] = [];
    for await (const e of api().activity.streamBatchResults('act-1', 'b1', { signal: controller.signal })) {
      got.push(e);
      if (got.length === 3) controller.abort(); // the stream stays open: only the abort ends the loop
    }
    expect(got).toHaveLength(3);
    await server.waitForAbandoned(before + 1);
  });

  it('ends at once for an already aborted signal, without a request', async () => {
    const events = await collect(
      api().activity.streamBatchResults('a', 'b', { signal: AbortSignal.abort() }),
      1,
    );
    expect(events).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('raises typed errors: HTTP status, unreadable event, broken stream', async () => {
    const attempt = async (): Promise<unknown> => {
      try {
        await collect(api().activity.streamBatchResults('act-1', 'b1'), 10);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    mode = 'notfound';
    expect(isYagnaNotFoundError(await attempt())).toBe(true);
    mode = 'garbage';
    expect(isYagnaProtocolError(await attempt())).toBe(true);
    mode = 'break';
    expect(isYagnaNetworkError(await attempt())).toBe(true);
  });
});

describe('readServerSentEvents', () => {
  it('dispatches on blank lines, joins data lines, keeps ids, ignores comments and empty events', async () => {
    const text =
      ': hello\n\nevent: a\ndata: 1\ndata: 2\nid: 7\n\ndata:x\n\nevent: ignored-no-data\n\ndata: last';
    const body = new Response(text).body!;
    const events = [];
    for await (const e of readServerSentEvents(body)) events.push(e);
    expect(events).toEqual([
      { event: 'a', data: '1\n2', id: '7' },
      { event: 'message', data: 'x', id: '7' },
    ]);
  });
});
