/**
 * The framework adapters against the real frameworks on loopback: Node's http, Express 5,
 * Fastify 5 and Hono 4 (on @hono/node-server). Each one serves the JSON status behind the token,
 * starts the registry's runnables when it listens, shuts them down when it closes, and is closed
 * itself when a signal shuts the registry down.
 */
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { NEVER } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expressStatusHandler, wireUpExpress } from '../../src/integrations/express.js';
import { fastifyStatusHandler, wireUpFastify } from '../../src/integrations/fastify.js';
import { honoStatusHandler, wireUpHono } from '../../src/integrations/hono.js';
import {
  type Runnable,
  type RunnableRegistry,
  type SignalProcess,
  type StatusJson,
  type StatusStore,
  createStatusStore,
  wireUp,
} from '../../src/integrations/index.js';
import { createStatusListener, wireUpHttpServer } from '../../src/integrations/node.js';

const TOKEN = 'test-token-0123456789';

class FakeProcess extends EventEmitter implements SignalProcess {
  readonly pid = 1;
  readonly killed: string[] = [];
  kill(_pid: number, signal: NodeJS.Signals): boolean {
    this.killed.push(signal);
    return true;
  }
}

/** A runnable that runs until aborted. */
function work(): Runnable & { aborted: () => boolean } {
  let stop: () => void = () => undefined;
  let aborted = false;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  return {
    name: 'work',
    aborted: () => aborted,
    run: () => stopped,
    abort: async () => {
      aborted = true;
      stop();
    },
  };
}

interface Started {
  readonly url: string;
  close(): Promise<void>;
  readonly token: string | undefined;
}

type Framework = (registry: RunnableRegistry, status: StatusStore, token?: string) => Promise<Started>;

function urlOf(server: { address(): AddressInfo | string | null }): string {
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

const frameworks: Record<string, Framework> = {
  'node:http': async (registry, status, token) => {
    const listener = createStatusListener(status, { token });
    const server = http.createServer((req, res) =>
      req.url?.startsWith('/status') ? listener(req, res) : res.writeHead(404).end(),
    );
    wireUpHttpServer(server, registry);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: urlOf(server), token: listener.token, close: () => closeServer(server) };
  },
  express: async (registry, status, token) => {
    const app = express();
    const handler = expressStatusHandler(status, { token });
    app.get('/status', handler);
    const server = app.listen(0, '127.0.0.1');
    wireUpExpress(server, registry);
    await once(server, 'listening');
    return { url: urlOf(server), token: handler.token, close: () => closeServer(server) };
  },
  fastify: async (registry, status, token) => {
    const app = Fastify();
    wireUpFastify(app, registry);
    const handler = fastifyStatusHandler(status, { token });
    app.get('/status', handler);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: urlOf(app.server), token: handler.token, close: () => app.close() };
  },
  hono: async (registry, status, token) => {
    const app = new Hono();
    const handler = honoStatusHandler(status, { token });
    app.get('/status', handler);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    wireUpHono(server, registry);
    await once(server, 'listening');
    return { url: urlOf(server), token: handler.token, close: () => closeServer(server) };
  },
};

function closeServer(server: {
  close(cb: (err?: Error) => void): unknown;
  listening: boolean;
}): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp(framework: Framework, token: string | null = TOKEN) {
  const proc = new FakeProcess();
  const runnable = work();
  const registry = wireUp([runnable], { process: proc });
  const status = createStatusStore(registry);
  const started = await framework(registry, status, token ?? undefined);
  cleanups.push(async () => {
    await started.close();
    await registry.wireUpOnShutdown();
    status.close();
  });
  return { proc, runnable, registry, status, started };
}

describe.each(Object.entries(frameworks))('%s', (_name, framework) => {
  it('starts the runnables when it listens, and serves their status behind the token', async () => {
    const { started, registry } = await setUp(framework);
    await vi.waitFor(() => expect(registry.statuses().find((s) => s.name === 'work')?.state).toBe('running'));

    const anonymous = await fetch(`${started.url}/status`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await fetch(`${started.url}/status`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect((await fetch(`${started.url}/status?token=wrong`)).status).toBe(401);

    const byHeader = await fetch(`${started.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await byHeader.json()) as StatusJson;
    expect(body.status).toBe('running');
    expect(body.runnables.find((r) => r.name === 'work')).toMatchObject({ state: 'running' });
    expect(body.runnables.find((r) => r.name === 'work')?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const byQuery = await fetch(`${started.url}/status?token=${TOKEN}`);
    expect(byQuery.status).toBe(200);
  });

  it('generates a token when none is given, and keeps it out of enumeration', async () => {
    const { started } = await setUp(framework, null);
    expect(started.token).toMatch(/^[\w-]{43}$/);
    expect((await fetch(`${started.url}/status`)).status).toBe(401);
    const ok = await fetch(`${started.url}/status`, {
      headers: { authorization: `Bearer ${started.token!}` },
    });
    expect(ok.status).toBe(200);
  });

  it('shuts the runnables down when it closes', async () => {
    const { started, registry, runnable } = await setUp(framework);
    await vi.waitFor(() => expect(registry.state).toBe('running'));
    await started.close();
    const report = await registry.wireUpOnShutdown();
    expect(runnable.aborted()).toBe(true);
    expect(report.clean).toBe(true);
    expect(report.stopped).toContain('work');
  });

  it('closes on SIGTERM, after the runnables stopped, then re-raises the signal', async () => {
    const { started, registry, proc, runnable } = await setUp(framework);
    await vi.waitFor(() => expect(registry.state).toBe('running'));
    proc.emit('SIGTERM', 'SIGTERM');
    const report = await registry.wireUpOnShutdown();
    expect(report).toMatchObject({ reason: 'SIGTERM', clean: true, failed: [], timedOut: [] });
    expect(runnable.aborted()).toBe(true);
    await expect(fetch(`${started.url}/status?token=${TOKEN}`)).rejects.toThrow();
    await vi.waitFor(() => expect(proc.killed).toEqual(['SIGTERM']));
  });
});

describe('status handlers', () => {
  it('do not show the token when printed', () => {
    const status = createStatusStore({ events$: NEVER });
    const handler = createStatusListener(status);
    expect(Object.keys(handler)).not.toContain('token');
    expect(JSON.stringify({ ...handler })).not.toContain(handler.token!);
    expect(() => createStatusListener(status, { token: '' })).toThrow(TypeError);
    status.close();
  });
});
