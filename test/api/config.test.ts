import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_YAGNA_API_URL, resolveYagnaConfig } from '../../src/api/config.js';
import { isYagnaArgumentError } from '../../src/api/errors/YagnaArgumentError.js';

describe('resolveYagnaConfig', () => {
  it('defaults to the local daemon and the standard base paths', () => {
    const c = resolveYagnaConfig({}, {});
    expect(c.apiUrl).toBe(DEFAULT_YAGNA_API_URL);
    expect(c.marketUrl).toBe('http://127.0.0.1:7465/market-api/v1');
    expect(c.activityUrl).toBe('http://127.0.0.1:7465/activity-api/v1');
    expect(c.paymentUrl).toBe('http://127.0.0.1:7465/payment-api/v1');
    expect(c.identityUrl).toBe('http://127.0.0.1:7465');
    expect(c.appKey).toBeUndefined();
    expect(c.timeoutMs).toBe(30_000);
    expect(c.longPollMarginMs).toBe(5_000);
    expect(c.retry).toEqual({ limit: 2, baseMs: 250, maxMs: 5_000 });
  });

  it('reads YAGNA_API_URL and YAGNA_APPKEY from the env object it is given', () => {
    const c = resolveYagnaConfig({}, { YAGNA_API_URL: 'http://10.0.0.5:8000/', YAGNA_APPKEY: 'k1' });
    expect(c.apiUrl).toBe('http://10.0.0.5:8000');
    expect(c.marketUrl).toBe('http://10.0.0.5:8000/market-api/v1');
    expect(c.appKey).toBe('k1');
  });

  it('uses per-API variables verbatim, over the root', () => {
    const c = resolveYagnaConfig(
      {},
      {
        YAGNA_API_URL: 'http://a:1',
        YAGNA_MARKET_URL: 'http://m:2/custom/market/',
        YAGNA_ACTIVITY_URL: 'http://act:3/x',
        YAGNA_PAYMENT_URL: 'https://pay:4/p',
        YAGNA_IDENTITY_URL: 'http://id:5',
      },
    );
    expect(c.marketUrl).toBe('http://m:2/custom/market');
    expect(c.activityUrl).toBe('http://act:3/x');
    expect(c.paymentUrl).toBe('https://pay:4/p');
    expect(c.identityUrl).toBe('http://id:5');
    expect(c.apiUrl).toBe('http://a:1');
  });

  it('lets options win over the env, and ignores per-API variables when an explicit url is given', () => {
    const env = {
      YAGNA_API_URL: 'http://env:1',
      YAGNA_APPKEY: 'envkey',
      YAGNA_MARKET_URL: 'http://stray:9/m',
    };
    const c = resolveYagnaConfig({ url: 'http://opt:2', appKey: 'optkey' }, env);
    expect(c.apiUrl).toBe('http://opt:2');
    expect(c.marketUrl).toBe('http://opt:2/market-api/v1');
    expect(c.appKey).toBe('optkey');
    const d = resolveYagnaConfig({ url: 'http://opt:2', marketUrl: 'http://mine:3/m' }, env);
    expect(d.marketUrl).toBe('http://mine:3/m');
    expect(d.appKey).toBe('envkey');
  });

  it('treats empty values as unset', () => {
    const c = resolveYagnaConfig(
      { url: '', appKey: ' ' },
      { YAGNA_API_URL: '', YAGNA_APPKEY: '', YAGNA_MARKET_URL: '' },
    );
    expect(c.apiUrl).toBe(DEFAULT_YAGNA_API_URL);
    expect(c.marketUrl).toBe('http://127.0.0.1:7465/market-api/v1');
    expect(c.appKey).toBeUndefined();
  });

  it('keeps a query string of the root at the end of every base URL', () => {
    const c = resolveYagnaConfig({ url: 'http://h:1/?authToken=tok' }, {});
    expect(c.marketUrl).toBe('http://h:1/market-api/v1?authToken=tok');
    expect(c.identityUrl).toBe('http://h:1?authToken=tok');
  });

  it('rejects bad URLs and options with YagnaArgumentError', () => {
    const bad = [
      () => resolveYagnaConfig({ url: 'not a url' }, {}),
      () => resolveYagnaConfig({ url: 'ftp://h/' }, {}),
      () => resolveYagnaConfig({ url: 'http://user:pw@h/' }, {}),
      () => resolveYagnaConfig({}, { YAGNA_PAYMENT_URL: '::' }),
      () => resolveYagnaConfig({ timeoutMs: -1 }, {}),
      () => resolveYagnaConfig({ timeoutMs: 0 }, {}),
      () => resolveYagnaConfig({ longPollMarginMs: -5 }, {}),
      () => resolveYagnaConfig({ retry: { limit: 1.5 } }, {}),
      () => resolveYagnaConfig({ retry: { baseMs: Number.NaN } }, {}),
    ];
    for (const f of bad) {
      let caught: unknown;
      try {
        f();
      } catch (err) {
        caught = err;
      }
      expect(isYagnaArgumentError(caught)).toBe(true);
    }
  });

  it('merges retry options and disables retry with false', () => {
    expect(resolveYagnaConfig({ retry: { limit: 5 } }, {}).retry).toEqual({
      limit: 5,
      baseMs: 250,
      maxMs: 5_000,
    });
    expect(resolveYagnaConfig({ retry: false }, {}).retry.limit).toBe(0);
  });

  it('keeps the app key and authToken values out of JSON and util.inspect', () => {
    const c = resolveYagnaConfig(
      { appKey: 'very-secret-key', url: 'http://h:1/?authToken=other-secret' },
      {},
    );
    expect(c.appKey).toBe('very-secret-key');
    expect(Object.keys(c)).not.toContain('appKey');
    for (const text of [JSON.stringify(c), inspect(c, { depth: 5, showHidden: false }), String(inspect(c))]) {
      expect(text).not.toContain('very-secret-key');
      expect(text).not.toContain('other-secret');
      expect(text).toContain('http://h:1');
    }
    expect(Object.isFrozen(c)).toBe(true);
  });
});
