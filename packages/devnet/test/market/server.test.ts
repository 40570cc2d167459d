import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityDto, VersionDto } from 'golem-rx';
import { isDevnetConfigError, startDevnet } from '../../src/index.js';
import { devnetClient, MARKET, type Client } from './helpers.js';

describe('devnet server: auth, identity, version, image registry', () => {
  let c: Client;
  beforeAll(async () => {
    c = await devnetClient({ providers: 3, images: { 'my/app:1.0': 'hello image' } });
  });
  afterAll(() => c.devnet.stop());

  it('answers 401 text/plain "Missing application key" without a key', async () => {
    const res = await fetch(`${c.devnet.url}${MARKET}/demands`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Missing application key');
  });

  it('answers 401 "Invalid application key" with a wrong key, by header or authToken', async () => {
    const byHeader = await fetch(`${c.devnet.url}/me`, { headers: { authorization: 'Bearer nope' } });
    expect(byHeader.status).toBe(401);
    expect(await byHeader.text()).toBe('Invalid application key');
    const byQuery = await fetch(`${c.devnet.url}/me?authToken=nope`);
    expect(byQuery.status).toBe(401);
    expect(await byQuery.text()).toBe('Invalid application key');
  });

  it('accepts the key as ?authToken=', async () => {
    const res = await fetch(`${c.devnet.url}/me?authToken=${c.devnet.appKey}`);
    expect(res.status).toBe(200);
  });

  it('also guards the stats endpoint', async () => {
    expect((await fetch(`${c.devnet.url}/_devnet/stats`)).status).toBe(401);
    expect((await c.get('/_devnet/stats')).status).toBe(200);
  });

  it('serves /me with the requestor identity', async () => {
    const res = await c.get<IdentityDto>('/me');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ identity: c.devnet.requestorId, name: 'devnet', role: 'manager' });
    expect(res.body.identity).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it('serves /version/get without auth, with a version >= 0.15.2', async () => {
    const res = await fetch(`${c.devnet.url}/version/get`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as VersionDto;
    const [major, minor, patch] = body.current.version.split('.').map(Number);
    expect(major! * 1e6 + minor! * 1e3 + patch!).toBeGreaterThanOrEqual(15_002);
    expect(body.pending).toBeNull();
  });

  it('resolves built-in and registered image tags, and serves their bytes (no auth)', async () => {
    const info = await fetch(`${c.devnet.url}/v1/image/info?tag=golem/alpine:latest`);
    expect(info.status).toBe(200);
    const body = (await info.json()) as { sha3: string; http: string; https: string };
    expect(body.sha3).toMatch(/^[0-9a-f]{56}$/);
    expect(body.http).toBe(`${c.devnet.url}/v1/image/download/${body.sha3}`);
    const image = await fetch(body.http);
    expect(image.status).toBe(200);
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(0);

    const mine = (await (await fetch(`${c.devnet.url}/v1/image/info?tag=my/app:1.0`)).json()) as {
      http: string;
    };
    expect(await (await fetch(mine.http)).text()).toBe('hello image');
    const node = await fetch(`${c.devnet.url}/v1/image/info?tag=golem/node:20-alpine`);
    expect(node.status).toBe(200);
    const byQuery = await fetch(`${c.devnet.url}/v1/image/download?hash=${body.sha3}`);
    expect(byQuery.status).toBe(200);
  });

  it('answers 404 for an unknown tag', async () => {
    const res = await fetch(`${c.devnet.url}/v1/image/info?tag=nobody/nothing:0`);
    expect(res.status).toBe(404);
  });

  it('answers unknown endpoints with a 404 ErrorMessage', async () => {
    const res = await c.get('/market-api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: expect.any(String) });
  });

  it('answers malformed JSON bodies with 400', async () => {
    const res = await c.call('POST', `${MARKET}/demands`, undefined, {
      body: '{not json',
      headers: { authorization: `Bearer ${c.devnet.appKey}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.stringContaining('Invalid JSON') });
  });

  it('takes the app key it is given, and names its registry (its own URL) in the handle', async () => {
    expect(c.devnet.appKey).toBe('test-key'); // devnetClient passes startDevnet({ appKey: 'test-key' })
    expect(c.devnet.registryUrl).toBe(c.devnet.url);
    const info = await fetch(`${c.devnet.registryUrl}/v1/image/info?tag=my/app:1.0`);
    expect(info.status).toBe(200);
  });

  it.each([65_536, 99_999, -1, 1.5])('refuses port %s with a DevnetConfigError', async (port) => {
    await expect(startDevnet({ port })).rejects.toSatisfy(
      (err) => isDevnetConfigError(err) && /port must be an integer from 0 to 65535/.test(err.message),
    );
  });
});
