import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYagnaApi } from '../../src/api/index.js';
import { isYagnaArgumentError } from '../../src/api/errors/YagnaArgumentError.js';
import { isYagnaBadRequestError } from '../../src/api/errors/YagnaBadRequestError.js';
import { isYagnaConflictError } from '../../src/api/errors/YagnaConflictError.js';
import { isYagnaError, YagnaError } from '../../src/api/errors/YagnaError.js';
import { isYagnaForbiddenError } from '../../src/api/errors/YagnaForbiddenError.js';
import { isYagnaGoneError } from '../../src/api/errors/YagnaGoneError.js';
import { isYagnaNetworkError } from '../../src/api/errors/YagnaNetworkError.js';
import { isYagnaNotFoundError, YagnaNotFoundError } from '../../src/api/errors/YagnaNotFoundError.js';
import { isYagnaNotImplementedError } from '../../src/api/errors/YagnaNotImplementedError.js';
import { isYagnaProtocolError } from '../../src/api/errors/YagnaProtocolError.js';
import { isYagnaServerError } from '../../src/api/errors/YagnaServerError.js';
import { isYagnaTimeoutError } from '../../src/api/errors/YagnaTimeoutError.js';
import { isYagnaUnauthorizedError } from '../../src/api/errors/YagnaUnauthorizedError.js';
import { isGolemRxError } from '../../src/errors/GolemRxError.js';
import { send, startTinyServer, type TinyServer } from './support/tinyServer.js';

/** The server answers what the `x-answer` query asks: `<status>|<content-type>|<body>`. */
let server: TinyServer;
let reply: { status: number; body?: unknown; type?: string } = { status: 200 };

beforeAll(async () => {
  server = await startTinyServer((_req, res) => send(res, reply.status, reply.body, reply.type));
});
afterAll(() => server.close());

const api = () => createYagnaApi({ url: server.url, appKey: 'test-app-key-0123', retry: false }, {});

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('error mapping', () => {
  const cases: [number, unknown, string | undefined, (e: unknown) => boolean, string | undefined][] = [
    [400, { message: 'Invalid id' }, undefined, isYagnaBadRequestError, 'Invalid id'],
    [401, 'Invalid application key', 'text/plain', isYagnaUnauthorizedError, 'Invalid application key'],
    [
      401,
      { message: 'Missing application key' },
      undefined,
      isYagnaUnauthorizedError,
      'Missing application key',
    ],
    [403, { message: 'Forbidden!' }, undefined, isYagnaForbiddenError, 'Forbidden!'],
    [404, { message: null }, undefined, isYagnaNotFoundError, undefined],
    [
      404,
      { message: 'Subscription [s1] not found.' },
      undefined,
      isYagnaNotFoundError,
      'Subscription [s1] not found.',
    ],
    [408, { message: 'Timeout' }, undefined, isYagnaTimeoutError, 'Timeout'],
    [409, {}, undefined, isYagnaConflictError, undefined],
    [410, { message: 'Rejected' }, undefined, isYagnaGoneError, 'Rejected'],
    [500, 'oops', 'text/plain', isYagnaServerError, 'oops'],
    [501, { message: null }, undefined, isYagnaNotImplementedError, undefined],
    [
      504,
      { message: 'Timeout accepting Debit Note on remote Node.' },
      undefined,
      isYagnaTimeoutError,
      undefined,
    ],
    [418, undefined, undefined, isYagnaError, undefined],
  ];

  it.each(cases)(
    'maps %i to its class, with yagna message and the endpoint template',
    async (status, body, type, guard, msg) => {
      reply = { status, body, type };
      const err = await failure(api().market.collectOffers('sub-1', { timeout: 0 }));
      expect(guard(err)).toBe(true);
      expect(isYagnaError(err)).toBe(true);
      expect(isGolemRxError(err)).toBe(true);
      const e = err as YagnaError;
      expect(e.status).toBe(status);
      expect(e.endpoint).toBe('GET /market-api/v1/demands/{subscriptionId}/events');
      expect(e.params).toEqual({ subscriptionId: 'sub-1' });
      if (msg !== undefined) expect(e.yagnaMessage).toBe(msg);
      if (status !== 504) expect(e.yagnaMessage).toBe(msg);
      expect(e.message).toContain(String(status));
      expect(e.message).not.toContain(server.url);
      expect(e.message).not.toContain('timeout=');
    },
  );

  it('distinguishes 408 from a client-side timeout', async () => {
    reply = { status: 408, body: { message: 'Timeout' } };
    const err = await failure(api().market.waitForApproval('a1', { timeout: 0 }));
    expect(isYagnaTimeoutError(err) && err.clientSide).toBe(false);
  });

  it('says a 401 without configured app key lacks one', async () => {
    reply = { status: 401, body: 'Missing application key', type: 'text/plain' };
    const err = await failure(createYagnaApi({ url: server.url, retry: false }, {}).identity.getIdentity());
    expect(isYagnaUnauthorizedError(err)).toBe(true);
    expect((err as Error).message).toContain('YAGNA_APPKEY');
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('recognises errors across realms by name and marker, but not foreign look-alikes', () => {
    const foreign = Object.assign(new Error('x'), { name: 'YagnaNotFoundError', isGolemRx: true });
    expect(isYagnaNotFoundError(foreign)).toBe(true);
    expect(isYagnaError(foreign)).toBe(true);
    expect(isYagnaNotFoundError(Object.assign(new Error('x'), { name: 'YagnaNotFoundError' }))).toBe(false);
    expect(isYagnaGoneError(new YagnaNotFoundError('x'))).toBe(false);
  });

  it('maps a refused connection to YagnaNetworkError without status', async () => {
    const closed = await startTinyServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const err = await failure(createYagnaApi({ url, retry: false }, {}).version.getVersion());
    expect(isYagnaNetworkError(err)).toBe(true);
    expect((err as YagnaError).status).toBeUndefined();
    expect(isYagnaNetworkError(err) && err.code).toBe('ECONNREFUSED');
    expect((err as YagnaError).endpoint).toBe('GET /version/get');
  });
});

describe('success bodies', () => {
  it('parses a bare JSON string with any 2xx (201 spec, 200 real)', async () => {
    for (const status of [200, 201]) {
      reply = { status, body: 'abc-123' };
      await expect(api().market.subscribeDemand({ properties: {}, constraints: '(&)' })).resolves.toBe(
        'abc-123',
      );
    }
  });

  it('accepts 204 empty, 200 empty and 200 null for calls without a result', async () => {
    for (const r of [{ status: 204 }, { status: 200 }, { status: 200, body: null }, { status: 201 }]) {
      reply = r;
      await expect(api().market.terminateAgreement('a1', { message: 'Finished' })).resolves.toBeUndefined();
      await expect(api().payment.releaseAllocation('al1')).resolves.toBeUndefined();
      await expect(api().activity.destroyActivity('act1', { timeout: 1 })).resolves.toBeUndefined();
    }
  });

  it('raises YagnaProtocolError for a body that is not JSON or not the promised shape', async () => {
    reply = { status: 200, body: 'not json', type: 'text/plain' };
    expect(isYagnaProtocolError(await failure(api().market.getDemands()))).toBe(true);
    reply = { status: 200, body: { id: 1 } };
    expect(
      isYagnaProtocolError(
        await failure(api().market.subscribeDemand({ properties: {}, constraints: '()' })),
      ),
    ).toBe(true);
    reply = { status: 200, body: 'x' };
    expect(isYagnaProtocolError(await failure(api().market.getDemands()))).toBe(true);
    reply = { status: 200, body: [] };
    expect(isYagnaProtocolError(await failure(api().market.getAgreement('a')))).toBe(true);
  });

  it('rejects empty ids and negative timeouts with YagnaArgumentError, before any request', async () => {
    const before = server.requests.length;
    const empty = await failure(api().market.getAgreement(''));
    expect(isYagnaArgumentError(empty) && empty.argument).toBe('agreementId');
    const negative = await failure(api().market.collectOffers('s', { timeout: -1 }));
    expect(isYagnaArgumentError(negative) && negative.argument).toBe('timeout');
    expect(server.requests.length).toBe(before);
  });

  it('sends queryReplyDemands to its path with the reply as body', async () => {
    reply = { status: 204 };
    await api().market.queryReplyDemands('s 1', 'q/1', { 'golem.x': 1 });
    const seen = server.requests.at(-1)!;
    expect([seen.method, seen.path, JSON.parse(seen.body)]).toEqual([
      'POST',
      '/market-api/v1/demands/s%201/propertyQuery/q%2F1',
      { 'golem.x': 1 },
    ]);
  });

  it('accepts both createActivity answer forms', async () => {
    reply = { status: 200, body: { activityId: 'act-1' } };
    await expect(api().activity.createActivity('agr-1')).resolves.toEqual({ activityId: 'act-1' });
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({ agreementId: 'agr-1' });
    reply = { status: 201, body: 'act-2' };
    await expect(api().activity.createActivity({ agreementId: 'agr-2' })).resolves.toEqual({
      activityId: 'act-2',
    });
  });
});
