/**
 * File transfer through yagna's GSB API, against devnet over loopback HTTP and websockets: the
 * library binds a GSB service per URL (nothing of the requestor listens on a port), devnet's
 * exe-unit fetches and uploads through it with gftp's messages, as a provider's exe-unit does
 * through the net. The storage is used as a rental would: an approved agreement's activity runs
 * a batch with `transfer` commands from and to the storage's `gftp://` URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { DevnetHandle } from '@golem-rx/devnet';
import { BrowserGsbStorage } from '../../src/gsb/BrowserGsbStorage.js';
import { isGsbServiceError } from '../../src/gsb/errors/GsbServiceError.js';
import { createYagnaApi } from '../../src/api/index.js';
import { isYagnaUnauthorizedError } from '../../src/api/errors/YagnaUnauthorizedError.js';
import { isStorageError } from '../../src/errors/StorageError.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import type { Activity } from '../../src/resources/Activity.js';
import { isBatchError } from '../../src/resources/errors/BatchError.js';
import { GsbStorage } from '../../src/storage/GsbStorage.js';
import { isLocalPathError } from '../../src/storage/errors/LocalPathError.js';
import { approvedAgreement, nodeOn, testDevnet } from '../resources/support/devnet.js';

let devnet: DevnetHandle;
let node: GolemNode;
let dir: string;

beforeEach(async () => {
  devnet = await testDevnet({ providers: 2 });
  node = nodeOn(devnet);
  dir = await mkdtemp(join(tmpdir(), 'golem-rx-gsb-'));
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
  await rm(dir, { recursive: true, force: true });
});

const transfer = (from: string, to: string) => ({ transfer: { from, to } });
const run = (command: string) => ({
  run: {
    entry_point: '/bin/sh',
    args: ['-c', command],
    capture: {
      stdout: { atEnd: { format: 'string' as const } },
      stderr: { atEnd: { format: 'string' as const } },
    },
  },
});

/** An activity on an approved agreement of `node`, deployed and started. */
async function startedActivity(): Promise<Activity> {
  const { agreement } = await approvedAgreement(node);
  const activity = await agreement.createActivity();
  await activity.deployAndStart();
  return activity;
}

/** Runs `script` on `activity`: every result, or the batch's error. */
async function execute(activity: Activity, script: Parameters<Activity['exec']>[0]) {
  const batch = await activity.exec(script);
  return firstValueFrom(batch.results$.pipe(toArray()));
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('GsbStorage (golem-rx/storage) against devnet', () => {
  it('publishes a 5 MB file that the exe-unit fetches whole (sha256sum on the VM), takes it back by upload, and unbinds every service on close', async () => {
    const storage = new GsbStorage({ api: node.api });
    const content = new Uint8Array(randomBytes(5 * 1024 * 1024));
    const local = join(dir, 'input.bin');
    await writeFile(local, content);
    const input = await storage.publishFile(local);
    expect(input.url).toMatch(new RegExp(`^gftp://${devnet.requestorId}/[0-9a-f]{32}$`));
    const back = join(dir, 'back.bin');
    const output = await storage.receiveFile(back);
    expect(devnet.stats().gsb).toMatchObject({ bound: 2, connected: 2 });
    expect(storage.openTransfers).toBe(2);

    const activity = await startedActivity();
    const results = await execute(activity, [
      transfer(input.url, 'container:/golem/input/input.bin'),
      run('sha256sum /golem/input/input.bin'),
      transfer('container:/golem/input/input.bin', output.url),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    expect(results[1]!.stdout).toBe(`${sha256(content)}  /golem/input/input.bin\n`);
    await output.received;
    expect((await readFile(back)).equals(content)).toBe(true);
    expect(await readdir(dir)).toEqual(['back.bin', 'input.bin']); // no part file left

    // gftp's traffic: 40 KiB chunks, one GetMetadata; 5 MB = 128 chunks each way (+1 UploadFinished)
    expect(devnet.stats().gsb).toMatchObject({ calls: 1 + 128 + 128 + 1, callErrors: 0 });
    await storage.close();
    expect(devnet.stats().gsb).toMatchObject({ bound: 0, connected: 0, unbindsTotal: 2 });
    expect(storage.openTransfers).toBe(0);
  });

  it('publishes bytes and receives bytes; a URL withdrawn is unbound at once, and a transfer from it fails', async () => {
    const storage = new GsbStorage({ api: node.api, nodeId: devnet.requestorId });
    const hello = new TextEncoder().encode('hello through yagna\n');
    const input = await storage.publishBytes(hello);
    const output = await storage.receiveBytes();
    const activity = await startedActivity();
    const results = await execute(activity, [
      transfer(input.url, 'container:/golem/work/in.txt'),
      run('cat /golem/work/in.txt /golem/work/in.txt > /golem/output/out.txt'),
      transfer('container:/golem/output/out.txt', output.url),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    expect(new TextDecoder().decode(await output.received)).toBe('hello through yagna\n'.repeat(2));

    input.close();
    await vi.waitFor(() => expect(devnet.stats().gsb.bound).toBe(1));
    const error: unknown = await execute(activity, [
      transfer(input.url, 'container:/golem/work/again.txt'),
    ]).catch((e: unknown) => e);
    expect(isBatchError(error)).toBe(true);
    expect((error as { yagnaMessage?: string }).yagnaMessage).toMatch(
      /gftp transfer GSB call failed: .*no service bound/,
    );
    await storage.close();
    expect(devnet.stats().gsb.bound).toBe(0);
  });

  it('an unknown file id: the exe-unit reports a failed transfer', async () => {
    const activity = await startedActivity();
    const error: unknown = await execute(activity, [
      transfer(`gftp://${devnet.requestorId}/${'0'.repeat(32)}`, 'container:/golem/input/x'),
    ]).catch((e: unknown) => e);
    expect(isBatchError(error)).toBe(true);
    expect(error).toMatchObject({ commandIndex: 0, command: 'transfer' });
    expect((error as { yagnaMessage?: string }).yagnaMessage).toMatch(
      new RegExp(`no service bound at /public/gftp/${'0'.repeat(32)}/GetMetadata`),
    );
    expect(devnet.stats().gsb.callErrors).toBe(1);
  });

  it('an upload whose announced hash does not match is refused (IntegrityError to the provider, StorageError from received)', async () => {
    const storage = new GsbStorage({ api: node.api, nodeId: devnet.requestorId });
    const output = await storage.receiveBytes();
    const at = `/public/gftp/${output.url.split('/').at(-1)!}`;
    const signal = new AbortController().signal;
    await devnet.gsb.call(
      `${at}/UploadChunk`,
      { chunk: { offset: 0, content: new Uint8Array([1, 2, 3]) } },
      signal,
    );
    const refused: unknown = await devnet.gsb
      .call(`${at}/UploadFinished`, { hash: createHash('sha3-256').update('other').digest('hex') }, signal)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'GsbCallError', variant: 'IntegrityError' });
    const received: unknown = await output.received.catch((e: unknown) => e);
    expect(isStorageError(received) && received.message).toMatch(/SHA3-256/);
    await storage.close();
  });

  it('an upload over maxReceiveBytes is refused with WriteError; an unfinished upload rejects when its URL is withdrawn', async () => {
    const storage = new GsbStorage({ api: node.api, nodeId: devnet.requestorId, maxReceiveBytes: 100 });
    const big = await storage.receiveBytes();
    const activity = await startedActivity();
    await execute(activity, [run('seq 1 100 > /golem/output/big.txt')]);
    const error: unknown = await execute(activity, [
      transfer('container:/golem/output/big.txt', big.url),
    ]).catch((e: unknown) => e);
    expect((error as { yagnaMessage?: string }).yagnaMessage).toMatch(/WriteError: upload over 100 bytes/);
    expect(isStorageError(await big.received.catch((e: unknown) => e))).toBe(true);

    const pending = await storage.receiveBytes();
    pending.close();
    const withdrawn: unknown = await pending.received.catch((e: unknown) => e);
    expect(isStorageError(withdrawn) && withdrawn.message).toMatch(/withdrawn before the upload finished/);
    await storage.close();
    expect(devnet.stats().gsb.bound).toBe(0);
  });

  it('checks local paths first (LocalPathError), and binds nothing for them', async () => {
    const storage = new GsbStorage({ api: node.api });
    expect(isLocalPathError(await storage.publishFile(join(dir, 'missing')).catch((e: unknown) => e))).toBe(
      true,
    );
    expect(isLocalPathError(await storage.publishFile(dir).catch((e: unknown) => e))).toBe(true);
    expect(isLocalPathError(await storage.receiveFile(join(dir, 'no', 'x')).catch((e: unknown) => e))).toBe(
      true,
    );
    expect(devnet.stats().gsb.bindsTotal).toBe(0);
    await storage.close();
  });

  it('a wrong app key: the bind fails with YagnaUnauthorizedError, and no error says the key', async () => {
    const wrongKey = 'wrong-key-do-not-print-1234';
    const api = createYagnaApi({ url: devnet.url, appKey: wrongKey }, {});
    const storage = new GsbStorage({ api, nodeId: devnet.requestorId });
    const error: unknown = await storage.publishBytes(new Uint8Array([1])).catch((e: unknown) => e);
    expect(isYagnaUnauthorizedError(error)).toBe(true);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(wrongKey);
    expect(String((error as Error).stack)).not.toContain(wrongKey);
    await storage.close();
  });

  it('a caller’s abort rejects the publication with its reason; the services bound meanwhile are unbound', async () => {
    const storage = new GsbStorage({ api: node.api, nodeId: devnet.requestorId });
    const controller = new AbortController();
    const reason = new Error('not needed');
    const publishing = storage.publishBytes(new Uint8Array([1]), { signal: controller.signal });
    controller.abort(reason);
    expect(await publishing.catch((e: unknown) => e)).toBe(reason);
    await storage.close(); // waits for the bind in flight and its unbinding
    expect(devnet.stats().gsb.bound).toBe(0);
    const closed: unknown = await storage.publishBytes(new Uint8Array([1])).catch((e: unknown) => e);
    expect(isGsbServiceError(closed) && closed.context.operation).toBe('closed');
  });

  it('a websocket yagna closes while its URL is published is reported (onError), and the URL withdrawn', async () => {
    const errors: Error[] = [];
    const storage = new GsbStorage({
      api: node.api,
      nodeId: devnet.requestorId,
      onError: (e) => errors.push(e),
    });
    const output = await storage.receiveBytes();
    await devnet.stop(); // closes every services' websocket (1001)
    await vi.waitFor(() =>
      expect(errors.some((e) => isGsbServiceError(e) && e.context.closeCode === 1001)).toBe(true),
    );
    expect(isStorageError(await output.received.catch((e: unknown) => e))).toBe(true);
    expect(storage.openTransfers).toBe(0);
    await storage.close();
    devnet = await testDevnet(); // for afterEach
  });
});

describe('BrowserGsbStorage (the core, global WebSocket) against devnet', () => {
  it('moves bytes both ways with the app key in the websocket URL, never in an error', async () => {
    const storage = new BrowserGsbStorage({
      api: node.api,
      webSocket: WebSocket,
    });
    const input = await storage.publishBytes(new TextEncoder().encode('from a browser'));
    const output = await storage.receiveBytes();
    const activity = await startedActivity();
    const results = await execute(activity, [
      transfer(input.url, 'container:/golem/work/in.txt'),
      transfer('container:/golem/work/in.txt', output.url),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    expect(new TextDecoder().decode(await output.received)).toBe('from a browser');
    expect(isStorageError(await storage.publishFile('./x').catch((e: unknown) => e))).toBe(true);
    await storage.close();
    expect(devnet.stats().gsb).toMatchObject({ bound: 0, connected: 0 });
  });

  it('a websocket refused is a GsbServiceError (`connect`) that does not carry the key in its URL', async () => {
    const leaky = class extends WebSocket {
      constructor(url: string, protocols: string[]) {
        // a services id that is not base64url: devnet refuses it (400); the URL, key included, must not reach the error
        super(String(url).replace('/services/', '/services/x'), protocols);
      }
    };
    const storage = new BrowserGsbStorage({ api: node.api, nodeId: devnet.requestorId, webSocket: leaky });
    const error: unknown = await storage.publishBytes(new Uint8Array([1])).catch((e: unknown) => e);
    expect(isGsbServiceError(error) && error.context.operation).toBe('connect');
    expect((error as Error).message).toBe('GSB connect: websocket refused: Unexpected server response: 400');
    expect((error as Error).message).not.toContain(devnet.appKey);
    await storage.close();
    expect(devnet.stats().gsb.bound).toBe(0);
  });

  it('what a websocket says when it fails reaches the error with the key masked (the browser puts it in the URL)', async () => {
    /** A WebSocket that cannot connect and, like some runtimes, names the URL in its error. */
    class Unreachable {
      binaryType = 'blob';
      onopen: (() => void) | null = null;
      onmessage: ((event: unknown) => void) | null = null;
      onerror: ((event: { message: string }) => void) | null = null;
      onclose: ((event: { code: number; reason: string }) => void) | null = null;
      constructor(url: string) {
        queueMicrotask(() => {
          this.onerror?.({ message: `connect ECONNREFUSED ${url}` });
          this.onclose?.({ code: 1006, reason: '' });
        });
      }
      send(): void {}
      close(): void {}
    }
    const storage = new BrowserGsbStorage({
      api: node.api,
      nodeId: devnet.requestorId,
      webSocket: Unreachable,
    });
    const error: unknown = await storage.publishBytes(new Uint8Array([1])).catch((e: unknown) => e);
    expect(isGsbServiceError(error) && error.context).toMatchObject({
      operation: 'connect',
      closeCode: 1006,
    });
    expect((error as Error).message).toContain('authToken=***');
    expect((error as Error).message).not.toContain(devnet.appKey);
    await storage.close();
    expect(devnet.stats().gsb.bound).toBe(0);
  });
});
