import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { devnetEnvLines, parseDevnetArgs, parseSubnets, runDevnetCommand } from '../src/devnet.js';
import { isDevnetConfigError } from '@golem-rx/devnet';
import { vmPackage } from 'golem-rx';

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

  it.each([['--port', 'x'], ['--port', '99999'], ['--providers', '-1'], ['--bogus'], ['--seed', '1.5']])(
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

  it('takes the port from 0 to 65535 only, and the app key from --app-key, else YAGNA_APPKEY', () => {
    expect(parseDevnetArgs(['--port', '65535'])).toEqual({ port: 65535 });
    expect(() => parseDevnetArgs(['--port', '99999'])).toThrow(/--port must be an integer from 0 to 65535/);
    expect(() => parseDevnetArgs(['--port=-1'])).toThrow(/--port must be an integer from 0 to 65535/);
    expect(parseDevnetArgs([], { YAGNA_APPKEY: 'env-key' })).toEqual({ port: 7465, appKey: 'env-key' });
    expect(parseDevnetArgs(['--app-key', 'flag-key'], { YAGNA_APPKEY: 'env-key' })).toMatchObject({
      appKey: 'flag-key',
    });
    expect(parseDevnetArgs([], { YAGNA_APPKEY: '  ' })).toEqual({ port: 7465 });
    expect(() => parseDevnetArgs(['--app-key', ''])).toThrow(/--app-key must not be empty/);
  });

  it('prints export lines a POSIX shell can source, quoting what needs it', () => {
    const lines = devnetEnvLines({
      url: 'http://127.0.0.1:7465',
      appKey: "it's a $KEY",
      registryUrl: 'http://127.0.0.1:7465',
      providers: [],
    });
    expect(lines).toEqual([
      '# devnet listening on http://127.0.0.1:7465 with 0 providers',
      'export YAGNA_API_URL=http://127.0.0.1:7465',
      "export YAGNA_APPKEY='it'\\''s a $KEY'",
      'export GOLEM_REGISTRY_URL=http://127.0.0.1:7465',
      '# Press Ctrl+C to stop.',
    ]);
    const sourced = execFileSync(
      'sh',
      ['-c', `${lines.join('\n')}\nprintf '%s|' "$YAGNA_API_URL" "$YAGNA_APPKEY" "$GOLEM_REGISTRY_URL"`],
      { encoding: 'utf8' },
    );
    expect(sourced).toBe("http://127.0.0.1:7465|it's a $KEY|http://127.0.0.1:7465|");
  });

  it('serves with YAGNA_APPKEY from the environment until SIGINT; its registry resolves vmPackage tags', async () => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const done = runDevnetCommand(['--port', '0', '--providers', '2'], {
      print: (line) => lines.push(line),
      signals,
      env: { YAGNA_APPKEY: 'env-key' },
    });
    await vi.waitFor(() => expect(lines).toContain('# Press Ctrl+C to stop.'), { timeout: 10_000 });
    expect(lines).toContain('export YAGNA_APPKEY=env-key');
    const value = (name: string): string =>
      lines.find((l) => l.startsWith(`export ${name}=`))!.slice(`export ${name}=`.length);
    const url = value('YAGNA_API_URL');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(value('GOLEM_REGISTRY_URL')).toBe(url);
    const me = await fetch(`${url}/me`, { headers: { authorization: 'Bearer env-key' } });
    expect(me.status).toBe(200);

    // the README's offline Quick start: vmPackage({ imageTag }) resolves through GOLEM_REGISTRY_URL
    vi.stubEnv('GOLEM_REGISTRY_URL', value('GOLEM_REGISTRY_URL'));
    try {
      const payload = await vmPackage({ imageTag: 'golem/alpine:latest' });
      expect(payload.properties['golem.srv.comp.task_package']).toMatch(
        new RegExp(`^hash:sha3:[0-9a-f]{56}:${url}/v1/image/download/[0-9a-f]{56}$`),
      );
    } finally {
      vi.unstubAllEnvs();
    }

    signals.emit('SIGINT');
    await done;
    expect(lines.at(-1)).toBe('# devnet stopped');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    await expect(fetch(`${url}/me`)).rejects.toThrow();
  });
});
