import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EventBus,
  ListenerFailed,
  NewResource,
  NodeStarted,
  ofType,
  ResourceDataChanged,
  SourceHealthChanged,
} from '../../src/bus/index.js';
import { enableDefaultLogger, redact, safeJsonStringify } from '../../src/logging/index.js';
import { DefaultLogger } from '../../src/logging/node.js';

const APP_KEY = 'app-key-7f3c"9\\e2';
const clock = () => Date.UTC(2024, 4, 28, 15, 0, 0);

/** A resource as src/resources will make it: it holds its node, whose config holds the app key. */
function allocation(id: string) {
  const node = { baseUrl: 'http://127.0.0.1:7465', appKey: APP_KEY };
  return { id, kind: 'Allocation', node, data: { totalAmount: new Decimal('1.50') } };
}

describe('safeJsonStringify', () => {
  it('writes Decimal and bigint as strings, errors as name and message, resources as kind and id', () => {
    const cause = new Error('inner');
    const value = {
      amount: new Decimal('0.0095519383499'),
      big: 12345678901234567890n,
      error: Object.assign(new TypeError('outer', { cause }), { secretField: 'x' }),
      nested: { resource: allocation('a1') },
      map: new Map([['k', 1]]),
      set: new Set([1, 2]),
    };
    expect(JSON.parse(safeJsonStringify(value))).toEqual({
      amount: '0.0095519383499',
      big: '12345678901234567890',
      error: { name: 'TypeError', message: 'outer', cause: { name: 'Error', message: 'inner' } },
      nested: { resource: { kind: 'Allocation', id: 'a1' } },
      map: { k: 1 },
      set: [1, 2],
    });
  });

  it('cuts cycles but writes repeated acyclic references in full', () => {
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic['self'] = cyclic;
    const err = new Error('loop');
    (err as { cause?: unknown }).cause = err;
    expect(JSON.parse(safeJsonStringify(cyclic))).toEqual({ a: { x: 1 }, b: { x: 1 }, self: '[Circular]' });
    expect(JSON.parse(safeJsonStringify(err))).toEqual({
      name: 'Error',
      message: 'loop',
      cause: '[Circular]',
    });
  });
});

describe('redact', () => {
  it('masks secrets raw and JSON-escaped, the longest first, ignoring empty ones', () => {
    expect(redact('a abc b', ['abc', ''])).toBe('a [REDACTED] b');
    expect(redact(JSON.stringify({ k: 'x"y' }), ['x"y'])).toBe('{"k":"[REDACTED]"}');
    expect(redact('key=abcdef', ['abc', 'abcdef'])).toBe('key=[REDACTED]');
  });
});

describe('DefaultLogger', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golem-rx-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends every bus event as a JSON line, in order, and never writes the app key', async () => {
    const file = join(dir, 'golem.log');
    await writeFile(file, 'earlier line\n');
    const bus = new EventBus();
    const logger = new DefaultLogger({ file, secrets: [APP_KEY], clock });
    logger.listenTo(bus);

    const a1 = allocation('a1');
    bus.emit(new NodeStarted({ baseUrl: `http://127.0.0.1:7465/?key=${APP_KEY}` }));
    bus.emit(new NewResource(a1));
    bus.emit(
      new ResourceDataChanged(a1, { note: `old ${APP_KEY}` }, { token: APP_KEY, amount: new Decimal('2') }),
    );
    bus.emit(
      new SourceHealthChanged('offers', {
        kind: 'unreachable',
        attempt: 1,
        error: new Error(`401 for Bearer ${APP_KEY}`),
        retryInMs: 500,
      }),
    );
    await bus.drain();
    await logger.close();

    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(APP_KEY);
    expect(text).not.toContain(JSON.stringify(APP_KEY).slice(1, -1));
    expect(text).not.toContain('app-key-7f3c');
    const [earlier, ...lines] = text.trimEnd().split('\n');
    expect(earlier).toBe('earlier line');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r['type'])).toEqual([
      'NodeStarted',
      'NewResource',
      'ResourceDataChanged',
      'SourceHealthChanged',
    ]);
    expect(records[1]).toEqual({
      time: '2024-05-28T15:00:00.000Z',
      type: 'NewResource',
      resource: { kind: 'Allocation', id: 'a1' },
    });
    expect(records[2]).toMatchObject({ newData: { token: '[REDACTED]', amount: '2' } });
    expect(records[3]).toMatchObject({
      health: { error: { name: 'Error', message: '401 for Bearer [REDACTED]' } },
    });
  });

  it('also masks YAGNA_APPKEY from the environment', async () => {
    const file = join(dir, 'env.log');
    const previous = process.env['YAGNA_APPKEY'];
    process.env['YAGNA_APPKEY'] = 'env-secret-123';
    try {
      const bus = new EventBus();
      const logger = new DefaultLogger({ file, clock });
      logger.listenTo(bus);
      bus.emit(new NodeStarted({ baseUrl: 'http://127.0.0.1:7465?k=env-secret-123' }));
      await bus.drain();
      await logger.close();
    } finally {
      if (previous === undefined) delete process.env['YAGNA_APPKEY'];
      else process.env['YAGNA_APPKEY'] = previous;
    }
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('env-secret-123');
  });

  it('never shows its secrets when inspected or serialised', () => {
    const logger = new DefaultLogger({ file: join(dir, 'x.log'), secrets: ['inspect-secret-42'], clock });
    expect(inspect(logger, { depth: 5, showHidden: true })).not.toContain('inspect-secret-42');
    expect(JSON.stringify(logger)).not.toContain('inspect-secret-42');
  });

  it('reports a failed write as ListenerFailed on the bus', async () => {
    const bus = new EventBus();
    const failures: ListenerFailed[] = [];
    bus.events$.pipe(ofType(ListenerFailed)).subscribe((f) => failures.push(f));
    const logger = new DefaultLogger({ file: dir /* a directory: EISDIR */, clock });
    const handle = logger.listenTo(bus);
    bus.emit(new NodeStarted({ baseUrl: 'http://127.0.0.1:7465' }));
    await bus.drain();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ listener: handle.id, error: { code: 'EISDIR' } });
  });
});

describe('enableDefaultLogger', () => {
  it('writes JSON lines to the given stream, secrets redacted, until stopped', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const bus = new EventBus();
    const handle = enableDefaultLogger(bus, { stream, secrets: [APP_KEY], clock });
    bus.emit(new NewResource(allocation('a1')));
    bus.emit(new NodeStarted({ baseUrl: APP_KEY }));
    await bus.drain();
    handle.stop();
    bus.emit(new NodeStarted({ baseUrl: 'after stop' }));
    const text = chunks.join('');
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).toEqual(['NewResource', 'NodeStarted']);
    expect(text).toContain('"baseUrl":"[REDACTED]"');
    expect(text).not.toContain('app-key');
  });
});
