import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLocalPathError } from '../../src/storage/errors/LocalPathError.js';
import { isStorageError } from '../../src/errors/StorageError.js';
import { StorageServer } from '../../src/storage/StorageServer.js';

describe('StorageServer', () => {
  let dir: string;
  let storage: StorageServer;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golem-rx-storage-'));
    storage = new StorageServer({ maxReceiveBytes: 1024 });
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts on demand, on loopback and a random port', async () => {
    expect(storage.url).toBeUndefined();
    const upload = await storage.publishBytes(new TextEncoder().encode('x'));
    expect(storage.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(upload.url.startsWith(`${storage.url}/t/`)).toBe(true);
  });

  it('serves bytes and files at unguessable URLs, and forgets a closed one', async () => {
    const a = await storage.publishBytes(new TextEncoder().encode('hello'));
    await writeFile(join(dir, 'in.txt'), 'from disk');
    const b = await storage.publishFile(join(dir, 'in.txt'));
    expect(a.url).not.toBe(b.url);
    expect(a.url.split('/t/')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await (await fetch(a.url)).text()).toBe('hello');
    expect(await (await fetch(a.url)).text()).toBe('hello'); // a provider may fetch again
    expect(await (await fetch(b.url)).text()).toBe('from disk');
    a.close();
    expect((await fetch(a.url)).status).toBe(404);
    expect((await fetch(`${storage.url}/t/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(b.url, { method: 'PUT', body: 'x' })).status).toBe(405);
  });

  it('refuses a missing local file before making a URL', async () => {
    const missing = join(dir, 'nope.txt');
    await expect(storage.publishFile(missing)).rejects.toSatisfy(
      (e: unknown) => isLocalPathError(e) && e.path === missing && e.problem === 'missing',
    );
    await expect(storage.publishFile(dir)).rejects.toSatisfy(
      (e: unknown) => isLocalPathError(e) && e.problem === 'notAFile',
    );
    await expect(storage.receiveFile(join(dir, 'no-such-dir', 'out.txt'))).rejects.toSatisfy(
      (e: unknown) => isLocalPathError(e) && e.problem === 'noDirectory',
    );
    expect(storage.openTransfers).toBe(0);
  });

  it('receives one upload into a file, then forgets the URL', async () => {
    const target = join(dir, 'out.txt');
    const incoming = await storage.receiveFile(target);
    const res = await fetch(incoming.url, { method: 'PUT', body: 'result bytes' });
    expect(res.status).toBe(204);
    await incoming.received;
    expect(await readFile(target, 'utf8')).toBe('result bytes');
    expect((await fetch(incoming.url, { method: 'PUT', body: 'again' })).status).toBe(404);
  });

  it('receives one upload into memory', async () => {
    const incoming = await storage.receiveBytes();
    expect((await fetch(incoming.url)).status).toBe(405);
    await fetch(incoming.url, { method: 'PUT', body: new Uint8Array([1, 2, 3]) });
    expect([...(await incoming.received)]).toEqual([1, 2, 3]);
  });

  it('refuses an upload over maxReceiveBytes', async () => {
    const incoming = await storage.receiveBytes();
    const res = await fetch(incoming.url, { method: 'PUT', body: new Uint8Array(4096) }).catch(
      () => undefined,
    );
    if (res !== undefined) expect(res.status).toBe(413);
    await expect(incoming.received).rejects.toSatisfy(isStorageError);
  });

  it('closes every connection and URL on close', async () => {
    const a = await storage.publishBytes(new Uint8Array([1]));
    await storage.close();
    await expect(fetch(a.url)).rejects.toThrow();
    expect(storage.url).toBeUndefined();
  });
});
