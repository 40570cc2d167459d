import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYagnaApi } from '../../src/api/index.js';
import { isYagnaError } from '../../src/api/errors/YagnaError.js';
import { send, startTinyServer, type TinyServer } from './support/tinyServer.js';

const KEY = 'SUPER-SECRET-APP-KEY-4242';
const TOKEN = 'QUERY-TOKEN-SECRET-9000';

/** Every way an error gets printed, logged or shipped. */
function renderings(err: unknown): string[] {
  const e = err as Error & { cause?: unknown };
  const cause = e.cause as (Error & { cause?: unknown }) | undefined;
  return [
    String(e),
    e.message,
    String(e.stack),
    JSON.stringify(e),
    JSON.stringify({ ...e }),
    inspect(e, { depth: Infinity, showHidden: true }),
    inspect(cause, { depth: Infinity, showHidden: true }),
    String(cause?.stack),
    String(cause?.message),
    JSON.stringify(cause ?? null),
    inspect(cause?.cause, { depth: Infinity, showHidden: true }),
    ...Object.values(e).map((v) => inspect(v, { depth: Infinity })),
  ];
}

function expectClean(err: unknown): void {
  expect(isYagnaError(err)).toBe(true);
  for (const text of renderings(err)) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(TOKEN);
  }
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

let server: TinyServer;
/** The handler echoes the credentials it received back in its error messages. */
let mode: 'echo401' | 'echo404json' | 'hold' | 'garbage' = 'echo401';

beforeAll(async () => {
  server = await startTinyServer((req, res) => {
    const echoed = `auth=${req.headers.authorization} url=${req.url}`;
    if (mode === 'echo401') send(res, 401, `Invalid application key ${echoed}`, 'text/plain');
    else if (mode === 'echo404json') send(res, 404, { message: `not found: ${echoed}` });
    else if (mode === 'garbage') send(res, 200, `<html>${echoed}</html>`, 'text/html');
    // 'hold': never answer
  });
});
afterAll(() => server.close());

const api = (extra: { appKey?: string; url?: string } = {}) =>
  createYagnaApi(
    { url: `${server.url}/?authToken=${TOKEN}`, appKey: KEY, retry: false, timeoutMs: 150, ...extra },
    {},
  );

describe('no error ever contains the app key or an authToken', () => {
  it('sends the credentials (so the checks below can fail)', async () => {
    mode = 'echo401';
    await failure(api().identity.getIdentity());
    const seen = server.requests.at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen.query.get('authToken')).toBe(TOKEN);
  });

  it('scrubs a text/plain 401 that echoes them', async () => {
    mode = 'echo401';
    const err = await failure(api().market.collectOffers('s1', { timeout: 0 }));
    expect(String((err as Error).message)).toContain('Invalid application key');
    expectClean(err);
  });

  it('scrubs an ErrorMessage JSON that echoes them', async () => {
    mode = 'echo404json';
    expectClean(await failure(api().payment.getAllocation('a1')));
  });

  it('scrubs a protocol error', async () => {
    mode = 'garbage';
    expectClean(await failure(api().market.getDemands()));
  });

  it('scrubs a client-side timeout', async () => {
    mode = 'hold';
    expectClean(await failure(api().market.getAgreement('a1')));
  });

  it('scrubs a network failure whose raw error contains the key', async () => {
    // fetch rejects this header value with a message that quotes it, key included.
    const badKey = `${KEY}\u0000x`;
    const err = await failure(api({ appKey: badKey }).identity.getIdentity());
    expect(inspect(err, { depth: Infinity })).toContain('invalid header value');
    expectClean(err);
  });

  it('scrubs a refused connection to a URL carrying the token', async () => {
    const closed = await startTinyServer(() => undefined);
    await closed.close();
    expectClean(await failure(api({ url: `${closed.url}/?authToken=${TOKEN}` }).version.getVersion()));
  });

  it('scrubs an error of the event stream', async () => {
    mode = 'echo404json';
    const err = await failure(
      (async () => {
        for await (const _ of api().activity.streamBatchResults('act', 'b1')) break;
      })(),
    );
    expectClean(err);
  });
});
