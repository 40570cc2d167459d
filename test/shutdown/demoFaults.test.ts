/**
 * The demo under injected faults (`--yagna` against a devnet started here): a transient failure
 * of a call that must succeed is retried; what still fails after the retries is in `node.close()`'s
 * report, which the demo prints (with ids) and turns into a non-zero exit, in-process and through
 * `golem-rx demo`. The demo also fails, saying why, when its commands did not run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoError, isDemoError, runDemo } from '@golem-rx/cli';
import { type DevnetHandle, type Fault, startDevnet } from '@golem-rx/devnet';
import { run } from '../../packages/cli/test/support.js';
import { openCounts } from '../e2e/support.js';
import { demoEnv, sink } from './support.js';

let devnet: DevnetHandle | undefined;

afterEach(async () => {
  await devnet?.stop();
  devnet = undefined;
});

async function devnetWith(faults: Fault[]): Promise<DevnetHandle> {
  devnet = await startDevnet({ port: 0, providers: 12, seed: 1, faults });
  return devnet;
}

const http = (endpoint: string, status: 500 | 503, times?: number): Fault => ({
  kind: 'http',
  endpoint,
  status,
  count: times === undefined ? 'always' : { times },
});

const TERMINATE = 'POST /market-api/v1/agreements/*/terminate';

/** Runs the demo in-process with `--yagna --json`; resolves with its summary line and outcome. */
async function demoOn(target: DevnetHandle) {
  const stdout = sink();
  const stderr = sink();
  const outcome = await runDemo(['--yagna', '--json'], {
    stdout,
    stderr,
    env: demoEnv(target),
    isTTY: { stderr: false },
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const json = JSON.parse(stdout.text().trimEnd().split('\n').at(-1) ?? 'null') as Record<
    string,
    unknown
  > | null;
  return { error: outcome, summary: json, stderr: stderr.text() };
}

describe('the demo under injected faults', () => {
  it('one 500 on terminate: the rental still terminates, every invoice is accepted, exit 0', async () => {
    const target = await devnetWith([http(TERMINATE, 500, 1)]);
    const { error, summary, stderr } = await demoOn(target);
    expect(error, stderr).toBeUndefined();
    expect(summary).toMatchObject({
      agreements: 3,
      commandsOk: 3,
      invoicesAccepted: 3,
      leftOpen: [],
      problems: [],
    });
    expect((target.stats() as { requests: { faultsInjected: number } }).requests.faultsInjected).toBe(1);
    expect(openCounts(target)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  }, 90_000);

  it('500 on every terminate: fails naming the 3 agreements left open, on stderr and in the summary', async () => {
    const target = await devnetWith([http(TERMINATE, 500)]);
    const { error, summary, stderr } = await demoOn(target);
    expect(isDemoError(error)).toBe(true);
    const demoError = error as DemoError;
    expect(demoError.reason).toBe('failed');
    const left = (summary?.leftOpen ?? []) as { kind: string; id: string; operation: string }[];
    expect(left.map((l) => [l.kind, l.operation])).toEqual(Array(3).fill(['Agreement', 'terminate']));
    for (const { id } of left) {
      expect(demoError.message).toContain(`agreement ${id} left open`);
      expect(stderr).toContain(`! left open: agreement ${id} (terminate failed:`);
    }
    expect(demoError.leftOpen).toEqual(summary?.leftOpen);
    expect(openCounts(target)).toEqual({ demands: 0, agreements: 3, activities: 0, allocations: 0 });
  }, 90_000);

  it('golem-rx demo exits 1 and names what was left open (an allocation it could not release)', async () => {
    const target = await devnetWith([http('DELETE /payment-api/v1/allocations/*', 500)]);
    const result = await run(['demo', '--yagna', '--json'], { env: demoEnv(target) });
    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as { leftOpen: { id: string }[] };
    expect(summary.leftOpen).toHaveLength(1);
    const { id } = summary.leftOpen[0]!;
    expect(result.stderr).toContain(`! left open: allocation ${id} (release failed:`);
    expect(result.stderr).toMatch(
      new RegExp(`^golem-rx: the demo did not finish cleanly: .*allocation ${id} left open`, 'm'),
    );
    expect(openCounts(target).allocations).toBe(1);
  }, 90_000);

  it('no command succeeds (every provider fails it): fails saying 0 of 3 commands succeeded', async () => {
    const target = await devnetWith([{ kind: 'failCommand' }]);
    const { error, summary } = await demoOn(target);
    expect(isDemoError(error) && error.reason).toBe('failed');
    expect(summary).toMatchObject({ agreements: 3, commandsOk: 0 });
    expect((error as DemoError).problems).toContain('0 of 3 commands succeeded');
    expect((error as DemoError).message).toContain('0 of 3 commands succeeded');
    expect(openCounts(target)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  }, 90_000);
});
