/**
 * devnet's GSB service API over real loopback HTTP and websockets: binding and unbinding as yagna
 * answers them (gsb-api.yaml), the services' websocket (auth, subprotocol, 400/404), and the
 * relaying of GSB calls to it as flexbuffers messages (gsb-api-messages.yaml): buffering before
 * the socket connects, error answers, unbinding and malformed answers closing the socket.
 * The test's answers are encoded as golem-js encodes them (`flexbuffers.encode`).
 */
import { encode, toObject } from 'flatbuffers/js/flexbuffers.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DevnetHandle, isGsbCallError, startDevnet } from '@golem-rx/devnet';
import { gsbSpecs } from './gsbSpecs.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await startDevnet({ providers: 0, seed: 3 });
});

afterEach(async () => {
  await devnet.stop();
});

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

async function call(method: string, path: string, body?: unknown, key: string | null = devnet.appKey) {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${devnet.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text === '' ? undefined : tryJson(text),
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function bind(on: string, components = ['GetMetadata', 'GetChunk']): Promise<string> {
  const res = await call('POST', '/gsb-api/v1/services', { listen: { on, components } });
  expect(res.status).toBe(201);
  return (res.json as { servicesId: string }).servicesId;
}

type Request = { id: string; component: string; payload: Record<string, unknown> };

/** The frames a websocket received, from its first (a buffered request may come with the handshake). */
const inboxes = new WeakMap<WebSocket, { frames: Request[]; waiting: ((r: Request) => void)[] }>();

/** Opens the services' websocket; resolves when open, or with the HTTP status it was refused with. */
function connect(
  servicesId: string,
  auth: 'header' | 'query' | 'none' = 'header',
): Promise<{ ws: WebSocket; status: 101 } | { status: number; body: string }> {
  const query = auth === 'query' ? `?authToken=${encodeURIComponent(devnet.appKey)}` : '';
  const url = `${devnet.url.replace(/^http/, 'ws')}/gsb-api/v1/services/${servicesId}${query}`;
  const headers = auth === 'header' ? { authorization: `Bearer ${devnet.appKey}` } : {};
  const ws = new WebSocket(url, ['gsb+flexbuffers'], { headers });
  ws.binaryType = 'arraybuffer';
  const inbox = { frames: [] as Request[], waiting: [] as ((r: Request) => void)[] };
  inboxes.set(ws, inbox);
  ws.on('message', (data: ArrayBuffer) => {
    const request = toObject(data) as Request;
    const waiter = inbox.waiting.shift();
    if (waiter === undefined) inbox.frames.push(request);
    else waiter(request);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, status: 101 }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

async function open(servicesId: string, auth: 'header' | 'query' = 'header'): Promise<WebSocket> {
  const result = await connect(servicesId, auth);
  if (result.status !== 101) throw new Error(`websocket refused: ${result.status}`);
  return (result as { ws: WebSocket }).ws;
}

/** The next request the websocket received, decoded. */
function nextRequest(ws: WebSocket): Promise<Request> {
  const inbox = inboxes.get(ws)!;
  const frame = inbox.frames.shift();
  return frame !== undefined ? Promise.resolve(frame) : new Promise((resolve) => inbox.waiting.push(resolve));
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
}

describe('devnet GSB API: binding', () => {
  it('binds services: 201, Location, the listen echoed and servicesId = base64url(on), as the spec says', async () => {
    const request = { listen: { on: '/public/gftp/abc', components: ['GetMetadata', 'GetChunk'] } };
    expect(gsbSpecs.servicesRequest(request)).toBe(true);
    const res = await call('POST', '/gsb-api/v1/services', request);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/${base64url('/public/gftp/abc')}`);
    expect(res.json).toEqual({ listen: request.listen, servicesId: base64url('/public/gftp/abc') });
    expect(gsbSpecs.servicesResponse(res.json)).toBe(true);
    expect(devnet.stats().gsb).toMatchObject({ bound: 1, connected: 0, bindsTotal: 1 });
  });

  it('refuses a prefix bound already, an empty one, a body without `listen`, and a request without the app key', async () => {
    await bind('/public/gftp/dup');
    const dup = await call('POST', '/gsb-api/v1/services', {
      listen: { on: '/public/gftp/dup', components: [] },
    });
    expect(dup).toMatchObject({
      status: 400,
      json: { message: 'Duplicated service address prefix: /public/gftp/dup' },
    });
    const empty = await call('POST', '/gsb-api/v1/services', { listen: { on: '', components: [] } });
    expect(empty.status).toBe(400);
    expect((await call('POST', '/gsb-api/v1/services', {})).status).toBe(400);
    const anonymous = await call(
      'POST',
      '/gsb-api/v1/services',
      { listen: { on: '/x', components: [] } },
      null,
    );
    expect(anonymous).toMatchObject({ status: 401, text: 'Missing application key' });
    expect(devnet.stats().gsb.bound).toBe(1);
  });

  it('unbinds: 200 `null`; then 404; an id that is not base64url is a 400', async () => {
    const id = await bind('/public/gftp/gone');
    const res = await call('DELETE', `/gsb-api/v1/services/${id}`);
    expect(res).toMatchObject({ status: 200, text: 'null' });
    expect((await call('DELETE', `/gsb-api/v1/services/${id}`)).status).toBe(404);
    expect((await call('DELETE', '/gsb-api/v1/services/not*base64')).status).toBe(400);
    expect(devnet.stats().gsb).toMatchObject({ bound: 0, bindsTotal: 1, unbindsTotal: 1 });
  });
});

describe('devnet GSB API: the services websocket', () => {
  it('opens with the app key in a header or in ?authToken=, speaking gsb+flexbuffers; refuses without it (401), for unknown services (404) and a bad id (400)', async () => {
    const id = await bind('/public/gftp/ws');
    const viaHeader = await open(id, 'header');
    expect(viaHeader.protocol).toBe('gsb+flexbuffers');
    expect(devnet.stats().gsb.connected).toBe(1);
    const viaQuery = await open(id, 'query'); // replaces the first, as yagna does
    expect(await closed(viaHeader)).toEqual({
      code: 1008,
      reason: 'Closing old WS connection in favour of new WS connection',
    });
    expect(await connect(id, 'none')).toEqual({ status: 401, body: 'Missing application key' });
    expect(await connect(base64url('/public/gftp/none'))).toMatchObject({ status: 404 });
    expect(await connect('not*base64')).toMatchObject({ status: 400 });
    viaQuery.close();
    await closed(viaQuery);
    expect(devnet.stats().requests.unauthorized).toBe(1);
  });

  it('relays a call as a flexbuffers request {id, component, payload} and resolves with the answer’s payload', async () => {
    const id = await bind('/public/gftp/file');
    const ws = await open(id);
    const answer = devnet.gsb.call(
      '/public/gftp/file/GetChunk',
      { offset: 0, size: 4 },
      new AbortController().signal,
    );
    const request = await nextRequest(ws);
    expect(request).toMatchObject({ component: 'GetChunk', payload: { offset: 0, size: 4 } });
    expect(gsbSpecs.gsbRequest(request)).toBe(true);
    const response = { id: request.id, payload: { offset: 0, content: new Uint8Array([1, 2, 3, 4]) } };
    expect(gsbSpecs.gsbResponse(response)).toBe(true);
    ws.send(encode(response));
    const payload = (await answer) as { offset: number; content: Uint8Array };
    expect(payload.offset).toBe(0);
    expect([...payload.content]).toEqual([1, 2, 3, 4]);
    expect(devnet.stats().gsb).toMatchObject({ calls: 1, callErrors: 0 });
    ws.close();
  });

  it('an error answer rejects the call with its variant; a call to an address nobody bound fails at once', async () => {
    const id = await bind('/public/gftp/err');
    const ws = await open(id);
    const answer = devnet.gsb.call('/public/gftp/err/GetMetadata', {}, new AbortController().signal);
    answer.catch(() => undefined); // asserted below
    const request = await nextRequest(ws);
    expect(request.payload).toEqual({});
    const response = { id: request.id, error: { ReadError: 'no such file' } };
    expect(gsbSpecs.gsbResponse(response)).toBe(true);
    ws.send(encode(response));
    const error: unknown = await answer.catch((e: unknown) => e);
    expect(isGsbCallError(error) && error.variant).toBe('ReadError');
    expect((error as Error).message).toBe('ReadError: no such file');
    const nobody = await devnet.gsb
      .call('/public/gftp/unknown/GetMetadata', {}, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isGsbCallError(nobody) && nobody.message).toMatch(
      /no service bound at \/public\/gftp\/unknown\/GetMetadata/,
    );
    const unboundComponent = await devnet.gsb
      .call('/public/gftp/err/UploadChunk', {}, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isGsbCallError(unboundComponent)).toBe(true);
    ws.close();
  });

  it('buffers the calls made before the websocket connects, and delivers them when it does', async () => {
    const id = await bind('/public/gftp/later');
    const answer = devnet.gsb.call('/public/gftp/later/GetMetadata', {}, new AbortController().signal);
    const ws = await open(id);
    const request = await nextRequest(ws);
    ws.send(encode({ id: request.id, payload: { fileSize: 7 } }));
    expect(await answer).toEqual({ fileSize: 7 });
    ws.close();
  });

  it('unbinding closes the websocket (1000, "Unbinding service: <on>") and fails what is pending', async () => {
    const id = await bind('/public/gftp/bye');
    const ws = await open(id);
    const answer = devnet.gsb.call(
      '/public/gftp/bye/GetChunk',
      { offset: 0, size: 1 },
      new AbortController().signal,
    );
    answer.catch(() => undefined); // asserted below
    await nextRequest(ws);
    const closing = closed(ws);
    expect((await call('DELETE', `/gsb-api/v1/services/${id}`)).status).toBe(200);
    expect(await closing).toEqual({ code: 1000, reason: 'Unbinding service: /public/gftp/bye' });
    expect(isGsbCallError(await answer.catch((e: unknown) => e))).toBe(true);
    expect(devnet.stats().gsb).toMatchObject({ bound: 0, connected: 0 });
  });

  it('an answer without payload or error, or a text frame, closes the websocket (1008, 1003) and fails what is pending', async () => {
    const id = await bind('/public/gftp/bad');
    const ws = await open(id);
    const answer = devnet.gsb.call('/public/gftp/bad/GetMetadata', {}, new AbortController().signal);
    answer.catch(() => undefined); // asserted below
    const request = await nextRequest(ws);
    const closing = closed(ws);
    ws.send(encode({ id: request.id, error: {} }));
    expect(await closing).toEqual({
      code: 1008,
      reason: `Failed to read response. Err: Missing 'payload' and 'error' fields. Id: ${request.id}.`,
    });
    expect(isGsbCallError(await answer.catch((e: unknown) => e))).toBe(true);
    const again = await open(id);
    const closingAgain = closed(again);
    again.send('hello');
    expect(await closingAgain).toEqual({ code: 1003, reason: 'Text msg unsupported.' });
    expect(devnet.stats().gsb).toMatchObject({ bound: 1, connected: 0 });
  });

  it('a call aborted by its signal rejects with the signal’s reason', async () => {
    const id = await bind('/public/gftp/abort');
    const ws = await open(id);
    const controller = new AbortController();
    const answer = devnet.gsb.call('/public/gftp/abort/GetMetadata', {}, controller.signal);
    answer.catch(() => undefined); // asserted below
    await nextRequest(ws);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await answer.catch((e: unknown) => e)).toBe(reason);
    ws.close();
  });
});
