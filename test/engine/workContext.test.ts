import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { WorkContext } from '../../src/engine/context/WorkContext.js';
import { isBatchError } from '../../src/resources/errors/BatchError.js';
import { isBatchTimeoutError } from '../../src/engine/errors/BatchTimeoutError.js';
import { isLocalPathError } from '../../src/storage/errors/LocalPathError.js';
import { isWorkContextClosedError } from '../../src/engine/errors/WorkContextClosedError.js';
import type { Activity } from '../../src/resources/Activity.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { StorageServer } from '../../src/storage/StorageServer.js';
import { approvedAgreement, nodeOn, testDevnet } from '../resources/support/devnet.js';

describe('WorkContext on devnet', () => {
  let devnet: DevnetHandle;
  let node: GolemNode;
  let storage: StorageServer;
  let dir: string;

  beforeAll(async () => {
    devnet = await testDevnet({ providers: 2 });
    node = nodeOn(devnet);
    storage = new StorageServer();
    dir = await mkdtemp(join(tmpdir(), 'golem-rx-ctx-'));
  });
  afterAll(async () => {
    await node.close();
    await storage.close();
    await devnet.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function freshActivity(): Promise<Activity> {
    const { agreement } = await approvedAgreement(node);
    return agreement.createActivity();
  }

  it('deploys and starts implicitly before the first command, even a transfer', async () => {
    const activity = await freshActivity();
    const ctx = new WorkContext(activity, { storage });
    ctx.sendJson('/golem/input/params.json', { frame: 7 }).run('/bin/cat', '/golem/input/params.json');
    const results = await ctx.commit();
    expect(results.map((r) => r.command)).toEqual(['sendJson', 'run']);
    expect(results[1]!.stdout).toBe('{"frame":7}');
    // the next batch does not deploy again (deploy would fail on a started activity)
    ctx.run('/bin/echo', 'again');
    expect((await ctx.commit())[0]!.stdout).toBe('again\n');
    expect(storage.openTransfers).toBe(0);
  });

  it('honours env, and moves files and bytes both ways through the storage server', async () => {
    const activity = await freshActivity();
    await activity.deployAndStart();
    const ctx = new WorkContext(activity, { storage, started: true });
    await writeFile(join(dir, 'in.txt'), 'local content');
    ctx
      .sendFile(join(dir, 'in.txt'), '/golem/input/in.txt')
      .sendBytes('/golem/input/b.txt', 'bytes!')
      .run('/bin/sh', '-c', 'echo "$GREETING $WHO" > /golem/output/out.txt; cat /golem/input/in.txt', {
        env: { GREETING: 'hello', WHO: 'world' },
      })
      .downloadFile('/golem/output/out.txt', join(dir, 'out.txt'))
      .downloadBytes('/golem/input/b.txt');
    const results = await ctx.commit();
    expect(results[2]!.stdout).toBe('local content');
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('hello world\n');
    expect(new TextDecoder().decode(results[4]!.bytes)).toBe('bytes!');
    expect(storage.openTransfers).toBe(0);
  });

  it('refuses a missing local path before anything is sent', async () => {
    const activity = await freshActivity();
    const ctx = new WorkContext(activity, { storage });
    ctx.sendBytes('/golem/input/a.txt', 'a').sendFile(join(dir, 'missing.bin'), '/golem/input/m.bin');
    await expect(ctx.commit()).rejects.toSatisfy(
      (e: unknown) => isLocalPathError(e) && e.operation === 'sendFile',
    );
    ctx.downloadFile('/golem/output/x', join(dir, 'no-dir', 'x'));
    await expect(ctx.commit()).rejects.toSatisfy(
      (e: unknown) => isLocalPathError(e) && e.problem === 'noDirectory',
    );
    expect(activity.batches).toHaveLength(0);
    expect(storage.openTransfers).toBe(0);
  });

  it('rejects with BatchError naming the failed command', async () => {
    const activity = await freshActivity();
    const ctx = new WorkContext(activity, { storage });
    ctx.run('/bin/echo', 'ok').run('/bin/sh', '-c', 'echo oops >&2; exit 3');
    await expect(ctx.commit()).rejects.toSatisfy((e: unknown) => isBatchError(e) && e.commandIndex === 3);
  });

  it('streams output while a command runs', async () => {
    const activity = await freshActivity();
    const ctx = new WorkContext(activity, { storage });
    ctx.run('/bin/sh', '-c', 'echo one; echo two >&2', { stream: true });
    const execution = ctx.commit();
    const chunks: string[] = [];
    execution.output$.subscribe({ next: (c) => chunks.push(`${c.stream}:${c.text}`) });
    await execution;
    expect(chunks.join('')).toContain('stdout:one');
    expect(chunks.join('')).toContain('stderr:two');
  });

  it('really stops a command past its timeout: the activity is destroyed, the context closed', async () => {
    const activity = await freshActivity();
    const ctx = new WorkContext(activity, { storage });
    ctx.run('/bin/echo', 'fast').run('/bin/sleep', '30', { timeout: 300 });
    await expect(ctx.commit()).rejects.toSatisfy(
      (e: unknown) => isBatchTimeoutError(e) && e.commandIndex === 1 && e.timeoutMs === 300,
    );
    expect(ctx.closed).toBe(true);
    expect((await activity.getData({ force: true })).state[0]).toBe('Terminated');
    ctx.run('/bin/echo', 'late');
    await expect(ctx.commit()).rejects.toSatisfy(isWorkContextClosedError);
  });

  it('really stops a batch past its timeout', async () => {
    const activity = await freshActivity();
    const ctx = new WorkContext(activity, { storage });
    ctx.run('/bin/sleep', '30');
    await expect(ctx.commit({ timeout: 300 })).rejects.toSatisfy(
      (e: unknown) => isBatchTimeoutError(e) && e.commandIndex === undefined,
    );
    expect((await activity.getData({ force: true })).state[0]).toBe('Terminated');
  });
});
