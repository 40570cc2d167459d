import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { CliCommandError } from '../src/CliCommandError.js';
import { CliUsageError, isCliUsageError } from '../src/CliUsageError.js';
import { describeCliError, displayUrl, EXIT } from '../src/errors.js';
import { colorsEnabled } from '../src/output.js';
import {
  formatDuration,
  parseAmount,
  parseDocumentStatus,
  MAX_DURATION_MS,
  MAX_EXPIRY_MS,
  parseDuration,
  parseExpiry,
  parsePositiveInt,
  parseTag,
} from '../src/parse.js';
import { isExpired } from '../src/demand.js';
import { providerView, splitPlatform } from '../src/views.js';
import { YagnaNetworkError } from 'golem-rx';
import { YagnaNotFoundError } from 'golem-rx';
import { YagnaUnauthorizedError } from 'golem-rx';
import type { CliContext } from '../src/context.js';

describe('golem-rx parsers', () => {
  it('parses amounts as Decimals, exactly', () => {
    expect(parseAmount('5')).toEqual(new Decimal(5));
    expect(parseAmount('0.1').plus(parseAmount('0.2')).eq('0.3')).toBe(true);
    expect(parseAmount('.5').eq('0.5')).toBe(true);
    expect(parseAmount(' 12.000 ').toFixed()).toBe('12');
  });

  it('parses amounts with up to 18 decimals (GLM), trailing zeros not counted', () => {
    expect(parseAmount('0.000000000000000001').toFixed()).toBe('0.000000000000000001');
    expect(parseAmount('1.000000000000000000000').toFixed()).toBe('1');
    expect(() => parseAmount('0.0000000000000000001')).toThrow(/GLM has 18 decimals/);
  });

  it.each([
    '',
    'abc',
    '-1',
    '0',
    '0.0',
    '1e3',
    '1,5',
    '0x10',
    'NaN',
    'Infinity',
    '1.2.3',
    '1.0000000000000000001',
  ])('rejects the amount %j', (text) => {
    expect(() => parseAmount(text)).toThrow(InvalidArgumentError);
  });

  it('parses durations: 30s, 5m, 1h, ms and plain seconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1.5')).toBe(1_500);
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(1_500)).toBe('1.5s');
  });

  it.each(['', '0', '0s', '-5s', '3x', '5 minutes', 's', '1h30m', 'Infinity', '0.0001ms', '597h', '1e9'])(
    'rejects the duration %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
    },
  );

  it('bounds durations by what a timer can wait, expiries by 10 years', () => {
    expect(parseDuration('596h')).toBe(596 * 3_600_000);
    expect(parseDuration(`${MAX_DURATION_MS}ms`)).toBe(MAX_DURATION_MS);
    expect(() => parseDuration(`${MAX_DURATION_MS + 1}ms`)).toThrow(/at most 596h/);
    expect(parseExpiry('87600h')).toBe(MAX_EXPIRY_MS);
    expect(parseExpiry('30m')).toBe(1_800_000);
    expect(() => parseExpiry('87601h')).toThrow(/at most 87600h/);
    expect(() => parseExpiry('99999999999999h')).toThrow(/at most 87600h/);
    expect(() => parseExpiry('soon')).toThrow(InvalidArgumentError);
  });

  it('parses statuses case-insensitively, integers and tags strictly', () => {
    expect(parseDocumentStatus('received')).toBe('RECEIVED');
    expect(() => parseDocumentStatus('paid')).toThrow(InvalidArgumentError);
    expect(parsePositiveInt('3')).toBe(3);
    expect(() => parsePositiveInt('0')).toThrow(InvalidArgumentError);
    expect(() => parsePositiveInt('2.5')).toThrow(InvalidArgumentError);
    expect(parseTag('devnet-beta')).toBe('devnet-beta');
    expect(() => parseTag('vm)(x=1')).toThrow(InvalidArgumentError);
  });
});

describe('golem-rx one-line errors', () => {
  const site = { apiUrl: 'http://127.0.0.1:7465/?authToken=SECRET', hasAppKey: true, secrets: ['SECRET'] };

  it('names the kind and id of an unknown resource', () => {
    const err = new YagnaNotFoundError('GET … failed with 404', {
      status: 404,
      params: { allocationId: 'a-1' },
    });
    expect(describeCliError(err, site)).toEqual({
      exitCode: EXIT.failure,
      message: 'allocation a-1 not found',
    });
  });

  it('says where yagna could not be reached, without the query string', () => {
    const report = describeCliError(new YagnaNetworkError('x', { code: 'ECONNREFUSED' }), site);
    expect(report.message).toBe(
      'cannot reach yagna at http://127.0.0.1:7465 (ECONNREFUSED): is it running? (set --api-url or YAGNA_API_URL)',
    );
    expect(displayUrl('http://u:p@h:1/x/?authToken=SECRET')).toBe('http://h:1/x');
  });

  it('distinguishes a missing from a rejected app key', () => {
    const err = new YagnaUnauthorizedError('401', { status: 401, yagnaMessage: 'Invalid application key' });
    expect(describeCliError(err, site).message).toBe(
      'yagna at http://127.0.0.1:7465 rejected the app key (Invalid application key)',
    );
    expect(describeCliError(err, { ...site, hasAppKey: false }).message).toMatch(/needs an app key/);
  });

  it('masks secrets, folds lines, maps usage errors to 2 and bugs to "internal error"', () => {
    expect(describeCliError(new CliCommandError('bad SECRET\nthing'), site)).toEqual({
      exitCode: 1,
      message: 'bad *** thing',
    });
    const usage = new CliUsageError('pass --yes', { argument: '--yes' });
    expect(isCliUsageError(usage)).toBe(true);
    expect(describeCliError(usage, site).exitCode).toBe(EXIT.usage);
    expect(describeCliError(new TypeError('boom'), site).message).toBe(
      'internal error: boom (run with --debug for details)',
    );
  });
});

describe('golem-rx colours', () => {
  const ctx = (env: Record<string, string>, tty: boolean): CliContext => ({
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: process.stdin,
    env,
    isTTY: { stdin: tty, stdout: tty, stderr: tty },
  });

  it('colours only a terminal, honours NO_COLOR, --no-color, TERM=dumb and FORCE_COLOR', () => {
    expect(colorsEnabled(ctx({}, true), true, 'stdout')).toBe(true);
    expect(colorsEnabled(ctx({}, false), true, 'stdout')).toBe(false);
    expect(colorsEnabled(ctx({ NO_COLOR: '1' }, true), true, 'stdout')).toBe(false);
    expect(colorsEnabled(ctx({ NO_COLOR: '' }, true), true, 'stdout')).toBe(true);
    expect(colorsEnabled(ctx({}, true), false, 'stdout')).toBe(false);
    expect(colorsEnabled(ctx({ TERM: 'dumb' }, true), true, 'stderr')).toBe(false);
    expect(colorsEnabled(ctx({ FORCE_COLOR: '1' }, false), true, 'stdout')).toBe(true);
    expect(colorsEnabled(ctx({ FORCE_COLOR: '1', NO_COLOR: '1' }, false), true, 'stdout')).toBe(false);
  });
});

describe('golem-rx views', () => {
  it('splits payment platforms', () => {
    expect(splitPlatform('erc20-holesky-tglm')).toEqual({
      driver: 'erc20',
      network: 'holesky',
      token: 'tglm',
    });
    expect(splitPlatform('erc20-polygon-glm').network).toBe('polygon');
  });

  it('reads prices per hour from linear coefficients in either usage order', () => {
    const view = providerView({
      proposalId: 'p',
      issuerId: '0xabc',
      state: 'Initial',
      timestamp: '2024-01-01T00:00:00Z',
      constraints: '(&)',
      properties: {
        'golem.node.id.name': 'n',
        'golem.com.usage.vector': ['golem.usage.duration_sec', 'golem.usage.cpu_sec'],
        'golem.com.pricing.model.linear.coeffs': [0.00005, 0.0001, 0.01],
        'golem.inf.cpu.cores': 4,
      },
    });
    expect(view.prices.cpuPerHour?.toFixed()).toBe('0.36');
    expect(view.prices.envPerHour?.toFixed()).toBe('0.18');
    expect(view.prices.start?.toFixed()).toBe('0.01');
    expect(view.cores).toBe(4);
    expect(view.threads).toBeNull();
  });

  it('says a demand is expired only when its announced expiration has passed', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    const demand = (props: Record<string, unknown>) => ({
      demandId: 'd',
      requestorId: '0x',
      timestamp: now.toISOString(),
      constraints: '(&)',
      properties: props,
    });
    expect(isExpired(demand({ 'golem.srv.comp.expiration': now.getTime() - 1 }), now)).toBe(true);
    expect(isExpired(demand({ 'golem.srv.comp.expiration': now.getTime() + 1 }), now)).toBe(false);
    expect(isExpired(demand({}), now)).toBe(false);
  });
});
