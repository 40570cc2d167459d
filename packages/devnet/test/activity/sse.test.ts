import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeEventDto } from 'golem-rx';
import type { CommandHandler } from '../../src/exeunit/index.js';
import { readSse, script, sh, startActivityHarness } from './harness.js';
import type { Harness, SseMessage } from './harness.js';

const A = '/activity-api/v1';
const SSE = { Accept: 'text/event-stream' };

const block: CommandHandler = async (_args, ctx) => {
  await ctx.sleep(60_000);
};

/** Stops after the `finished` event of command `last`. */
const finishedAt =
  (last: number) =>
  (m: SseMessage): boolean => {
    const e = m.data as RuntimeEventDto | undefined;
    return e !== undefined && e.index === last && 'finished' in e.kind;
  };

describe('devnet activity: the exec event stream (SSE)', () => {
  let h: Harness;
  let activityId: string;
  beforeEach(async () => {
    h = await startActivityHarness({ commands: { block }, pingMs: 100 });
    const agreement = h.market.add();
    activityId = (
      (await h.call('POST', `${A}/activity`, { agreementId: agreement.agreementId })).body as {
        activityId: string;
      }
    ).activityId;
  });
  afterEach(async () => h.close());

  const exec = async (commands: unknown[]): Promise<string> =>
    (await h.call('POST', `${A}/activity/${activityId}/exec`, script(commands))).body as string;

  it('streams runtime events in the Real snake_case format, numbered per connection', async () => {
    const streamed = {
      run: {
        entry_point: '/bin/sh',
        args: ['-c', 'echo hello'],
        capture: { stdout: { stream: { format: 'string' } } },
      },
    };
    const batchId = await exec([{ deploy: {} }, { start: {} }, streamed]);
    const read = await readSse(`${h.url}${A}/activity/${activityId}/exec/${batchId}`, SSE, finishedAt(2));
    expect(read.status).toBe(200);
    expect(read.contentType).toContain('text/event-stream');
    expect(read.ended).toBe('stopped');
    const runtime = read.messages.filter((m) => m.event === 'runtime');
    expect(runtime.map((m) => m.id)).toEqual(runtime.map((_, i) => String(i)));
    const events = runtime.map((m) => m.data as RuntimeEventDto);
    for (const e of events) {
      expect(e.batch_id).toBe(batchId);
      expect(e.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+$/); // naive: no Z
    }
    const lifecycle = events.filter((e) => 'started' in e.kind || 'finished' in e.kind);
    expect(lifecycle.map((e) => [e.index, Object.keys(e.kind)[0]])).toEqual([
      [0, 'started'],
      [0, 'finished'],
      [1, 'started'],
      [1, 'finished'],
      [2, 'started'],
      [2, 'finished'],
    ]);
    expect(lifecycle[0]!.kind).toEqual({ started: { command: { deploy: {} } } });
    expect(lifecycle[1]!.kind).toEqual({ finished: { return_code: 0, message: null } });
    const runOutput = events.filter((e) => e.index === 2 && 'stdout' in e.kind);
    expect(runOutput.map((e) => e.kind)).toEqual([{ stdout: 'hello\n' }]);
    // the run's output comes between its started and finished events
    const positions = events.map((e) => `${e.index}:${Object.keys(e.kind)[0]}`);
    expect(positions.indexOf('2:stdout')).toBeGreaterThan(positions.indexOf('2:started'));
    expect(positions.indexOf('2:stdout')).toBeLessThan(positions.indexOf('2:finished'));
  });

  it('replays the buffered events of a finished batch and keeps the stream open with :ping', async () => {
    const batchId = await exec([{ deploy: {} }, { start: {} }, sh('exit 2'), sh('echo never')]);
    await h.call('GET', `${A}/activity/${activityId}/exec/${batchId}?timeout=5`);
    // connect after the batch ended: the events are replayed, then only pings come
    let pings = 0;
    const read = await readSse(`${h.url}${A}/activity/${activityId}/exec/${batchId}`, SSE, (m) => {
      if (m.comment === 'ping') pings++;
      return pings === 2;
    });
    const events = read.messages.filter((m) => m.event === 'runtime').map((m) => m.data as RuntimeEventDto);
    const finished = events.filter((e) => 'finished' in e.kind);
    expect(finished.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(finished[2]!.kind).toEqual({ finished: { return_code: 2, message: expect.any(String) } });
    expect(events.some((e) => e.index === 3)).toBe(false);
    expect(read.ended).toBe('stopped');
  });

  it('answers JSON unless Accept is exactly text/event-stream, and 404 for an unknown batch', async () => {
    const batchId = await exec([{ deploy: {} }]);
    const res = await fetch(`${h.url}${A}/activity/${activityId}/exec/${batchId}?timeout=5`, {
      headers: { Accept: 'text/event-stream, application/json' },
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as unknown[]).length).toBe(1);
    const missing = await fetch(`${h.url}${A}/activity/${activityId}/exec/${'0'.repeat(32)}`, {
      headers: SSE,
    });
    expect(missing.status).toBe(404);
  });

  it('drops open streams and pending polls when devnet restarts', async () => {
    const batchId = await exec([{ deploy: {} }, { start: {} }, { run: { entry_point: 'block' } }]);
    const poll = fetch(`${h.url}${A}/activity/${activityId}/exec/${batchId}?timeout=30&commandIndex=2`);
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const stream = readSse(`${h.url}${A}/activity/${activityId}/exec/${batchId}`, SSE, () => {
      streaming();
      return false;
    });
    await h.timerScheduled(30_000); // the poll's timeout: it is waiting now
    await started;
    h.restart.next();
    await expect(poll).rejects.toThrow();
    const read = await stream;
    expect(read.ended).not.toBe('stopped');
    expect(read.messages.some((m) => m.event === 'runtime')).toBe(true);
    // devnet itself still works
    expect((await h.call('GET', `${A}/activity/${activityId}/state`)).status).toBe(200);
  });
});
