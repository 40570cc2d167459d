import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseDevnetArgs, parseSubnets, runDevnetCommand } from '../../src/cli/devnet.js';
import { isDevnetConfigError } from '../../src/devnet/index.js';

describe('golem-rx devnet (CLI)', () => {
  it('parses its flags', () => {
    expect(
      parseDevnetArgs([
        '--port',
        '0',
        '--providers',
        '50',
        '--seed',
        '7',
        '--app-key',
        'K',
        '--latency',
        '20',
        '--faults',
        'provider:rejectCounter:p=0.5',
        '--subnets',
        'public=3,beta',
        '--max-agreements',
        '1',
        '--host',
        '127.0.0.1',
      ]),
    ).toEqual({
      port: 0,
      providers: 50,
      seed: 7,
      appKey: 'K',
      latency: 20,
      faults: 'provider:rejectCounter:p=0.5',
      subnets: { public: 3, beta: 1 },
      maxAgreementsPerProvider: 1,
      host: '127.0.0.1',
    });
    expect(parseDevnetArgs([])).toEqual({ port: 7465 });
    expect(parseDevnetArgs(['--help'])).toBeUndefined();
  });

  it.each([['--port', 'x'], ['--providers', '-1'], ['--bogus'], ['--seed', '1.5']])(
    'rejects %s with a DevnetConfigError',
    (...argv) => {
      let error: unknown;
      try {
        parseDevnetArgs(argv);
      } catch (err) {
        error = err;
      }
      expect(isDevnetConfigError(error)).toBe(true);
    },
  );

  it('parses subnet mixes', () => {
    expect(parseSubnets('public')).toEqual({ public: 1 });
    expect(() => parseSubnets('public=0')).toThrow();
    expect(() => parseSubnets(',')).toThrow();
  });

  it('prints URL and app key, serves until SIGINT, then stops', async () => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const done = runDevnetCommand(['--port', '0', '--providers', '2', '--app-key', 'cli-key'], {
      print: (line) => lines.push(line),
      signals,
    });
    for (let i = 0; i < 500 && !lines.some((l) => l.startsWith('YAGNA_APPKEY=')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(lines).toContain('YAGNA_APPKEY=cli-key');
    const url = lines.find((l) => l.startsWith('YAGNA_API_URL='))!.slice('YAGNA_API_URL='.length);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await fetch(`${url}/me`, { headers: { authorization: 'Bearer cli-key' } });
    expect(me.status).toBe(200);
    signals.emit('SIGINT');
    await done;
    expect(lines.at(-1)).toBe('devnet stopped');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    await expect(fetch(`${url}/me`)).rejects.toThrow();
  });
});
