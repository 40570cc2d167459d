import { spawn } from 'node:child_process';
import { appendFile, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileJournalPromiseStore,
  PromiseRegistry,
  isPromiseJournalError,
  type PromiseId,
} from '../../src/promises/index.js';
import { text, utf8 } from './fixtures/bytes.js';

let dir: string;
let journal: string;
const open = async () =>
  new PromiseRegistry(await FileJournalPromiseStore.open(journal), { workerName: 'w' });
const lines = async () => (await readFile(journal, 'utf8')).split('\n').filter((l) => l !== '');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'golem-rx-promises-'));
  journal = join(dir, 'nested', 'promises.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileJournalPromiseStore', () => {
  it('a new registry over the same journal finds pending and completed promises and resumes waiting', async () => {
    const first = await open();
    const pending = await first.createPromise();
    const done = await first.createPromise();
    await first.completePromise(done, utf8('kept'));
    await first.close();

    const second = await open();
    expect(second.listPromises()).toEqual([
      { id: pending, status: 'pending' },
      { id: done, status: 'completed', data: utf8('kept') },
    ]);
    expect(text(await second.awaitPromiseValue(done))).toBe('kept');
    const resumed = second.awaitPromiseValue(pending);
    expect(await second.completePromise(pending, utf8('resumed'))).toBe(true);
    expect(await second.completePromise(done, utf8('again'))).toBe(false);
    expect(text(await resumed)).toBe('resumed');
    expect((await second.createPromise()).oplogIdx).toBe(2);
    await second.close();
  });

  it('writes each record before acknowledging it (readable by another open without close)', async () => {
    const first = await open();
    const id = await first.createPromise();
    await first.completePromise(id, utf8('durable'));
    expect(await lines()).toHaveLength(2);
    const other = await FileJournalPromiseStore.open(journal);
    expect(other.snapshot().promises).toEqual([{ oplogIdx: 0, data: utf8('durable') }]);
    await other.close();
    await first.close();
  });

  it('drops a torn last line and appends cleanly after it', async () => {
    const first = await open();
    const a = await first.createPromise();
    const b = await first.createPromise();
    await first.close();
    // A crash in the middle of writing the completion of b: half a line, no newline.
    await appendFile(journal, '{"v":1,"type":"completed","oplogIdx":1,"da');

    const second = await open();
    expect(second.listPromises().map((s) => s.status)).toEqual(['pending', 'pending']);
    expect(await second.completePromise(b, utf8('b'))).toBe(true);
    expect(await second.completePromise(a, utf8('a'))).toBe(true);
    await second.close();

    const third = await open();
    expect(third.listPromises().map((s) => text(s.data))).toEqual(['a', 'b']);
    expect((await lines()).every((l) => JSON.parse(l) !== undefined)).toBe(true);
    await third.close();
  });

  it('fails to open a journal with a corrupt record in the middle, naming the line', async () => {
    const first = await open();
    await first.createPromise();
    await first.close();
    await appendFile(journal, 'garbage\n{"v":1,"type":"created","oplogIdx":1}\n');
    const err: unknown = await FileJournalPromiseStore.open(journal).catch((e: unknown) => e);
    expect(isPromiseJournalError(err)).toBe(true);
    expect(err).toMatchObject({ operation: 'open', line: 2 });
  });

  it('compacts deleted promises away on open, never reusing their indexes', async () => {
    const first = await open();
    const ids: PromiseId[] = [];
    for (let i = 0; i < 3; i++) ids.push(await first.createPromise());
    await first.completePromise(ids[1]!, utf8('x'));
    await first.deletePromise(ids[0]!);
    await first.deletePromise(ids[2]!);
    await first.close();
    expect(await lines()).toHaveLength(6);

    const second = await open();
    expect(await lines()).toEqual([
      '{"v":1,"type":"next","oplogIdx":3}',
      '{"v":1,"type":"created","oplogIdx":1}',
      '{"v":1,"type":"completed","oplogIdx":1,"data":"eA=="}',
    ]);
    expect((await second.createPromise()).oplogIdx).toBe(3);
    await second.close();
  });

  it('records the first completion only, under concurrent completions', async () => {
    const registry = await open();
    const id = await registry.createPromise();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => registry.completePromise(id, utf8(`v${i}`))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await lines()).filter((l) => l.includes('"completed"'))).toHaveLength(1);
    await registry.close();
  });

  it('refuses appends after close with PromiseJournalError', async () => {
    const store = await FileJournalPromiseStore.open(journal);
    await store.close();
    await expect(store.append({ type: 'created', oplogIdx: 0 })).rejects.toSatisfy(isPromiseJournalError);
  });

  it.skipIf(process.platform === 'win32')(
    'keeps the journal private: file 0600 in a created folder 0700, also after compaction, and tightens a 0644 one',
    async () => {
      const registry = await open();
      await registry.deletePromise(await registry.createPromise());
      await registry.close();
      expect((await stat(journal)).mode & 0o777).toBe(0o600);
      expect((await stat(dirname(journal))).mode & 0o777).toBe(0o700);
      await (await open()).close(); // compacts: the journal is rewritten through a temporary file
      expect((await stat(journal)).mode & 0o777).toBe(0o600);

      const loose = join(dir, 'loose.jsonl');
      await writeFile(loose, '');
      await chmod(loose, 0o644);
      const store = await FileJournalPromiseStore.open(loose);
      await store.close();
      expect((await stat(loose)).mode & 0o777).toBe(0o600);
    },
  );

  it('opens an empty or missing journal as empty', async () => {
    await writeFile(join(dir, 'empty.jsonl'), '');
    for (const path of [join(dir, 'empty.jsonl'), join(dir, 'missing', 'p.jsonl')]) {
      const store = await FileJournalPromiseStore.open(path);
      expect(store.snapshot()).toEqual({ nextOplogIdx: 0, promises: [] });
      await store.close();
    }
  });

  it('survives a requestor process killed with SIGKILL', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/crashingRequestor.ts', import.meta.url)),
        journal,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let ids: { pending: PromiseId; done: PromiseId };
    try {
      ids = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(JSON.parse(out));
        });
        child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const restarted = new PromiseRegistry(await FileJournalPromiseStore.open(journal), {
      workerName: 'crashy',
    });
    expect(text(restarted.pollPromise(ids.done))).toBe('before the crash');
    expect(restarted.getPromiseState(ids.pending).status).toBe('pending');
    const resumed = restarted.awaitPromiseValue(ids.pending);
    await restarted.completePromise(ids.pending, utf8('approved'));
    expect(text(await resumed)).toBe('approved');
    await restarted.close();
  });
});
