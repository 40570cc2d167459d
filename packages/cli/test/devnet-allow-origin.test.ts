/**
 * `golem-rx devnet --allow-origin` and `YAGNA_API_ALLOW_ORIGIN`: the origins whose web pages may
 * call devnet, as yagna's `--api-allow-origin` (the flag wins over the environment).
 */
import { describe, expect, it } from 'vitest';
import { devnetEnvLines, parseDevnetArgs } from '../src/devnet.js';
import { run } from './support.js';

const PAGE = 'http://127.0.0.1:5173';

/** Runs `golem-rx devnet …`, sends a preflight from `origin` once it listens, then interrupts it. */
async function preflightThroughCli(
  argv: string[],
  env: Record<string, string>,
  origin: string,
): Promise<{ stdout: string; status: number; allowOrigin: string | null }> {
  const interrupt = new AbortController();
  let answer: Promise<Response> | undefined;
  const result = await run(['devnet', '--port', '0', '--providers', '0', ...argv], {
    env,
    interrupt: interrupt.signal,
    onStdout: (_text, all) => {
      const url = /YAGNA_API_URL=(\S+)/.exec(all)?.[1];
      if (url === undefined || answer !== undefined || !all.includes('Press Ctrl+C')) return;
      answer = fetch(`${url}/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      }).finally(() => interrupt.abort());
    },
  });
  expect(result.code).toBe(0);
  const response = await answer!;
  return {
    stdout: result.stdout,
    status: response.status,
    allowOrigin: response.headers.get('access-control-allow-origin'),
  };
}

describe('golem-rx devnet --allow-origin', () => {
  it('takes a comma-separated list from the flag, else from YAGNA_API_ALLOW_ORIGIN', () => {
    expect(parseDevnetArgs(['--allow-origin', `${PAGE}, http://localhost:5173`])).toEqual({
      port: 7465,
      allowOrigin: [PAGE, 'http://localhost:5173'],
    });
    expect(parseDevnetArgs([], { YAGNA_API_ALLOW_ORIGIN: '*' })).toEqual({ port: 7465, allowOrigin: ['*'] });
    expect(parseDevnetArgs(['--allow-origin', PAGE], { YAGNA_API_ALLOW_ORIGIN: '*' })).toMatchObject({
      allowOrigin: [PAGE],
    });
    expect(parseDevnetArgs([], { YAGNA_API_ALLOW_ORIGIN: ' ' })).toEqual({ port: 7465 });
  });

  it('names the allowed origins in a comment of its output', () => {
    const devnet = {
      url: 'http://127.0.0.1:7465',
      appKey: 'k',
      registryUrl: 'http://127.0.0.1:7465',
      providers: [],
    };
    expect(devnetEnvLines(devnet, [PAGE, '*'])).toContain(`# web pages may call it from ${PAGE}, *`);
    expect(devnetEnvLines(devnet).join('\n')).not.toContain('web pages');
  });

  it('serves pages of the origin given by the flag (it wins over the environment)', async () => {
    const allowed = await preflightThroughCli(
      ['--allow-origin', PAGE],
      { YAGNA_API_ALLOW_ORIGIN: 'http://x:1' },
      PAGE,
    );
    expect(allowed).toMatchObject({ status: 200, allowOrigin: PAGE });
    expect(allowed.stdout).toContain(`# web pages may call it from ${PAGE}\n`);
    const help = await run(['devnet', '--help']);
    expect(help.stdout).toContain('--allow-origin');
  });

  it('serves pages of the origins in YAGNA_API_ALLOW_ORIGIN, and no other', async () => {
    const env = { YAGNA_API_ALLOW_ORIGIN: `http://localhost:5173,${PAGE}` };
    expect(await preflightThroughCli([], env, PAGE)).toMatchObject({ status: 200, allowOrigin: PAGE });
    expect(await preflightThroughCli([], env, 'http://other:1')).toMatchObject({
      status: 400,
      allowOrigin: null,
    });
  });
});
