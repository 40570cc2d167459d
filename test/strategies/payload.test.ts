import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet } from '@golem-rx/devnet';
import type { DevnetHandle } from '@golem-rx/devnet';
import {
  ImageResolutionError,
  isImageResolutionError,
} from '../../src/strategies/errors/ImageResolutionError.js';
import { evaluate, parseConstraints } from '@golem-rx/devnet';
import { resolveImage, vmPackage } from '../../src/strategies/payload.js';

describe('vmPackage against devnet over HTTP', () => {
  let devnet: DevnetHandle;
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0, providers: 2, images: { 'me/app:1': 'my image bytes' } });
  });
  afterAll(async () => {
    await devnet.stop();
  });

  it('resolves a tag through the registry into task_package and builds the constraints', async () => {
    const payload = await vmPackage({
      imageTag: 'me/app:1',
      registryUrl: devnet.url,
      minMemGib: 1,
      minCpuThreads: 2,
      capabilities: ['vpn'],
    });
    const { hash, url } = await resolveImage({ tag: 'me/app:1' }, { registryUrl: `${devnet.url}/` });
    expect(hash).toMatch(/^[0-9a-f]{56}$/);
    expect(url).toBe(`${devnet.url}/v1/image/download/${hash}`);
    expect(payload.properties).toEqual({
      'golem.srv.comp.task_package': `hash:sha3:${hash}:${url}`,
      'golem.srv.comp.vm.package_format': 'gvmkit-squash',
    });
    expect(payload.constraints).toEqual([
      '(golem.runtime.name=vm)',
      '(golem.inf.mem.gib>=1)',
      '(golem.inf.storage.gib>=2)',
      '(golem.inf.cpu.threads>=2)',
      '(golem.runtime.capabilities=vpn)',
    ]);
    // the image behind the URL is the one registered
    const bytes = await fetch(url).then((r) => r.text());
    expect(bytes).toBe('my image bytes');
  });

  it('resolves a hash to its URL, and takes hash + URL without asking the registry', async () => {
    const { hash, url } = await resolveImage({ tag: 'golem/alpine:latest' }, { registryUrl: devnet.url });
    const byHash = await vmPackage({ imageHash: hash, registryUrl: devnet.url });
    expect(byHash.properties['golem.srv.comp.task_package']).toBe(`hash:sha3:${hash}:${url}`);
    const direct = await vmPackage({
      imageHash: 'abc123',
      imageUrl: 'http://example.invalid/x.gvmi',
      registryUrl: 'http://127.0.0.1:1',
    });
    expect(direct.properties['golem.srv.comp.task_package']).toBe(
      'hash:sha3:abc123:http://example.invalid/x.gvmi',
    );
    expect(direct.constraints).toEqual([
      '(golem.runtime.name=vm)',
      '(golem.inf.mem.gib>=0.5)',
      '(golem.inf.storage.gib>=2)',
    ]);
  });

  it('builds constraints that devnet offers match', async () => {
    const payload = await vmPackage({ imageTag: 'golem/alpine:latest', registryUrl: devnet.url });
    const offer = { 'golem.runtime.name': 'vm', 'golem.inf.mem.gib': 4, 'golem.inf.storage.gib': 50 };
    const constraint = parseConstraints(`(&${payload.constraints.join('')})`);
    expect(evaluate(constraint, offer)).toBe(true);
    expect(evaluate(constraint, { ...offer, 'golem.inf.mem.gib': 0.25 })).toBe(false);
  });

  it('fails with ImageResolutionError (status 404) on an unknown tag', async () => {
    const error: unknown = await vmPackage({ imageTag: 'no/such:tag', registryUrl: devnet.url }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageResolutionError);
    expect(isImageResolutionError(error) && error.status).toBe(404);
    expect(isImageResolutionError(error) && error.tag).toBe('no/such:tag');
  });

  it('fails with ImageResolutionError when aborted, the abort reason as cause', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error: unknown = await vmPackage({
      imageTag: 'golem/alpine:latest',
      registryUrl: devnet.url,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(isImageResolutionError(error)).toBe(true);
    expect((error as ImageResolutionError).status).toBeUndefined();
    expect((error as ImageResolutionError).cause).toBeDefined();
  });

  it('fails with ImageResolutionError when the registry answers something else', async () => {
    // a real loopback server answering 200 with the wrong shape
    const server = createServer((_, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"sha3":42}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error: unknown = await resolveImage(
        { tag: 'x' },
        { registryUrl: `http://127.0.0.1:${port}` },
      ).catch((e: unknown) => e);
      expect(isImageResolutionError(error)).toBe(true);
      expect((error as Error).message).toContain('unexpected answer');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects misuse with TypeError / RangeError', async () => {
    await expect(vmPackage({})).rejects.toThrow(TypeError);
    await expect(vmPackage({ imageHash: 'ab', imageTag: 'x' })).rejects.toThrow(TypeError);
    await expect(vmPackage({ imageHash: 'not-hex', imageUrl: 'http://x' })).rejects.toThrow(TypeError);
    await expect(vmPackage({ imageHash: 'ab', imageUrl: 'http://x', minMemGib: -1 })).rejects.toThrow(
      RangeError,
    );
  });
});
