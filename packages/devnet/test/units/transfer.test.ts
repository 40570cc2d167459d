import type { ServerResponse } from 'node:http';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExeUnit } from '../../src/exeunit/ExeUnit.js';
import type { ExeScriptCommand, ExeScriptCommandResult } from '../../src/exeunit/exescript.js';
import { startServer } from './helpers.js';

const deploy: ExeScriptCommand = { deploy: {} };
const start: ExeScriptCommand = { start: {} };
const transfer = (from: string, to: string, extra: Record<string, unknown> = {}): ExeScriptCommand => ({
  transfer: { from, to, ...extra },
});

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: Buffer;
}

let server: Awaited<ReturnType<typeof startServer>>;
const received: Received[] = [];
const hanging: ServerResponse[] = [];
let hangingClosed = 0;

beforeAll(async () => {
  server = await startServer((req, res, body) => {
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'],
      body,
    });
    if (req.url === '/hang') {
      hanging.push(res);
      res.on('close', () => hangingClosed++);
      return;
    }
    if (req.method === 'GET' && req.url === '/input.bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([1, 2, 3, 250]));
    } else if (req.method === 'GET' && req.url === '/redirect') {
      res.writeHead(302, { location: '/input.bin' }).end();
    } else if (req.method === 'PUT' && req.url?.startsWith('/upload/')) {
      res.writeHead(201).end();
    } else {
      res.writeHead(404, 'Not Found').end('nope');
    }
  });
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await server.close();
});

async function runBatch(
  unit: ExeUnit,
  commands: ExeScriptCommand[],
): Promise<{ id: string; results: ExeScriptCommandResult[] }> {
  const id = unit.exec(commands);
  const { results } = await unit.waitForResults(id, undefined, 20_000);
  return { id, results };
}

describe('transfer', () => {
  it('GETs an http URL into the activity, creating parent directories and following redirects', async () => {
    const unit = new ExeUnit();
    const { results } = await runBatch(unit, [
      deploy,
      start,
      transfer(`${server.url}/input.bin`, 'container:/golem/input/nested/in.bin'),
      transfer(`${server.url}/redirect`, 'container:/golem/input/again.bin'),
      {
        run: {
          entry_point: '/bin/sh',
          args: ['-c', 'wc -c < /golem/input/nested/in.bin'],
          capture: { stdout: { atEnd: {} } },
        },
      },
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok', 'Ok']);
    expect(results[2]).toMatchObject({ stdout: null, stderr: null, message: null });
    expect([...unit.fs.readFile('/golem/input/nested/in.bin')]).toEqual([1, 2, 3, 250]);
    expect([...unit.fs.readFile('/golem/input/again.bin')]).toEqual([1, 2, 3, 250]);
    expect(results[4]!.stdout).toBe('4\n');
    unit.destroy();
  });

  it('PUTs a container file to an http URL', async () => {
    const unit = new ExeUnit();
    unit.fs.mkdir('/golem/output', { recursive: true });
    unit.fs.writeFile('/golem/output/result.txt', 'the answer: 42\n');
    const { results } = await runBatch(unit, [
      deploy,
      start,
      transfer('container:/golem/output/result.txt', `${server.url}/upload/result.txt`),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    const put = received.find((r) => r.method === 'PUT' && r.url === '/upload/result.txt');
    expect(put?.body.toString()).toBe('the answer: 42\n');
    expect(put?.contentType).toBe('application/octet-stream');
    unit.destroy();
  });

  it('decodes data: URLs (base64 and percent-encoded) into the activity', async () => {
    const unit = new ExeUnit();
    const { results } = await runBatch(unit, [
      deploy,
      start,
      transfer(
        `data:application/octet-stream;base64,${Buffer.from('hello\n').toString('base64')}`,
        'container:/golem/input/a',
      ),
      transfer('data:,caf%C3%A9%20%FF', 'container:golem/input/b'),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok']);
    expect(unit.fs.readText('/golem/input/a')).toBe('hello\n');
    expect([...unit.fs.readFile('/golem/input/b')]).toEqual([...Buffer.from('café '), 0xff]);
    unit.destroy();
  });

  it('copies container: to container:', async () => {
    const unit = new ExeUnit();
    unit.fs.writeFile('/src.txt', 'x');
    const { results } = await runBatch(unit, [
      deploy,
      start,
      transfer('container:/src.txt', 'container:/golem/work/copy.txt'),
    ]);
    expect(results[2]!.result).toBe('Ok');
    expect(unit.fs.readText('/golem/work/copy.txt')).toBe('x');
    unit.destroy();
  });

  it.each([
    [
      'an HTTP error status',
      () => transfer(`${server.url}/missing`, 'container:/golem/input/x'),
      /GET http:\/\/127\.0\.0\.1:\d+\/missing failed: HTTP 404 Not Found/,
    ],
    [
      'a missing container file',
      () => transfer('container:/golem/output/none', `${server.url}/upload/x`),
      /transfer failed: \/golem\/output\/none: No such file or directory/,
    ],
    [
      'an unsupported scheme',
      () => transfer('gftp://0x1/abc', 'container:/golem/input/x'),
      /unsupported transfer URL scheme 'gftp'/,
    ],
    [
      'a data: destination',
      () => transfer('container:/golem/input', 'data:,x'),
      /cannot be a transfer destination/,
    ],
    [
      'an http to http transfer',
      () => transfer(`${server.url}/input.bin`, `${server.url}/upload/y`),
      /must come from a container/,
    ],
    [
      'an archive format',
      () => transfer(`${server.url}/input.bin`, 'container:/golem/input/x', { format: 'zip' }),
      /single files only/,
    ],
  ])('fails the command with a message for %s', async (_what, command, message) => {
    const unit = new ExeUnit();
    const { results } = await runBatch(unit, [deploy, start, command()]);
    expect(results[2]).toMatchObject({ result: 'Error', isBatchFinished: true });
    expect(results[2]!.message).toMatch(message);
    expect(unit.state.state).toEqual(['Ready', null]);
    unit.destroy();
  });

  it('reports a refused connection as a failed command', async () => {
    const closed = await startServer((_req, res) => res.end());
    const url = closed.url;
    await closed.close();
    const unit = new ExeUnit();
    const { results } = await runBatch(unit, [
      deploy,
      start,
      transfer(`${url}/x`, 'container:/golem/input/x'),
    ]);
    expect(results[2]!.result).toBe('Error');
    expect(results[2]!.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/x failed: fetch failed/);
    unit.destroy();
  });

  it('refuses a transfer before start, as yagna does (only Ready accepts it)', async () => {
    const unit = new ExeUnit();
    const { results } = await runBatch(unit, [transfer('data:,x', 'container:/x')]);
    expect(results[0]!.message).toBe("Invalid state: 'transfer' requires Ready, activity is Initialized");
    const deployed = await runBatch(unit, [deploy, transfer('data:,x', 'container:/x')]);
    expect(deployed.results.map((r) => r.result)).toEqual(['Ok', 'Error']);
    expect(deployed.results[1]!.message).toBe(
      "Invalid state: 'transfer' requires Ready, activity is Deployed",
    );
    unit.destroy();
  });

  it('emits a progress event when the command asks for progress', async () => {
    const unit = new ExeUnit();
    const { id } = await runBatch(unit, [
      deploy,
      start,
      transfer('data:,abcd', 'container:/golem/input/p', { progress: { updateStep: 1 } }),
    ]);
    const events = await lastValueFrom(unit.events$(id).pipe(toArray()));
    expect(events.filter((e) => e.index === 2).map((e) => e.kind)).toContainEqual({
      progress: { step: [0, 1], message: null, progress: [4, 4], unit: 'Bytes' },
    });
    unit.destroy();
  });

  it('aborts an in-flight request when the activity is destroyed', async () => {
    const unit = new ExeUnit();
    const id = unit.exec([deploy, start, transfer(`${server.url}/hang`, 'container:/golem/input/h')]);
    await unit.waitForResults(id, 1, 5_000);
    await vi.waitFor(() => expect(received.some((r) => r.url === '/hang')).toBe(true), { timeout: 10_000 });
    expect(unit.state.state).toEqual(['Ready', 'Ready']); // yagna: a running transfer is Ready → Ready
    unit.destroy();
    const { results } = await unit.waitForResults(id, undefined, 5_000);
    expect(results[2]).toMatchObject({ result: 'Error', message: 'Activity destroyed' });
    await vi.waitFor(() => expect(hangingClosed).toBe(1), { timeout: 10_000 });
    expect(unit.state.state).toEqual(['Terminated', null]);
  });
});
