/**
 * .ci/run's closing line (.ci/summary.cjs): `N passed, M failed`, where M also counts every test
 * file that failed to load (no test of it failed, so vitest's `numFailedTests` misses it), and a
 * non-zero exit whenever M > 0. Checked on synthetic reports and on a real vitest JSON report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SUMMARY = join(ROOT, '.ci/summary.cjs');
const dir = mkdtempSync(join(tmpdir(), 'golem-rx-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the summary on `report` (an object is written as JSON, a string as is). */
function summarize(report: unknown): { line: string; code: number | null; stderr: string } {
  const file = join(dir, `report-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  return summarizeFile(file);
}

function summarizeFile(file: string): { line: string; code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [SUMMARY, file], { encoding: 'utf8' });
  return { line: run.stdout, code: run.status, stderr: run.stderr };
}

const passedFile = (n: number) => ({
  name: '/repo/test/ok.test.ts',
  status: 'passed',
  message: '',
  assertionResults: Array.from({ length: n }, () => ({ status: 'passed' })),
});

describe('.ci/summary.cjs', () => {
  it('prints the passed and failed tests, exit 0 when nothing failed', () => {
    const report = {
      numPassedTests: 952,
      numFailedTests: 0,
      numFailedTestSuites: 0,
      success: true,
      testResults: [passedFile(952)],
    };
    expect(summarize(report)).toMatchObject({ line: '952 passed, 0 failed\n', code: 0 });
  });

  it('counts a test file that failed to load as a failure (vitest counts no failed test for it)', () => {
    const report = {
      numPassedTests: 952,
      numFailedTests: 0,
      numFailedTestSuites: 1,
      success: false,
      testResults: [
        passedFile(952),
        {
          name: '/repo/test/contract/rental.contract.test.ts',
          status: 'failed',
          message: "ENOENT: no such file or directory, open 'specs/yagna/common.yaml'",
          assertionResults: [],
        },
      ],
    };
    const result = summarize(report);
    expect(result).toMatchObject({ line: '952 passed, 1 failed\n', code: 1 });
    expect(result.stderr).toContain('rental.contract.test.ts');
  });

  it('adds failed tests and broken files; a file with failed tests counts by its tests', () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 2,
      numFailedTestSuites: 3,
      success: false,
      testResults: [
        passedFile(3),
        {
          name: '/repo/test/a.test.ts',
          status: 'failed',
          message: '',
          assertionResults: [{ status: 'failed' }, { status: 'failed' }, { status: 'passed' }],
        },
        { name: '/repo/test/b.test.ts', status: 'failed', message: 'SyntaxError', assertionResults: [] },
        {
          name: '/repo/test/c.test.ts',
          status: 'failed',
          message: 'beforeAll failed',
          assertionResults: [{ status: 'skipped' }],
        },
      ],
    };
    expect(summarize(report)).toMatchObject({ line: '3 passed, 4 failed\n', code: 1 });
  });

  it('counts 1 failure for an unsuccessful report without any, and for a missing or unreadable one', () => {
    const quiet = { numPassedTests: 5, numFailedTests: 0, success: false, testResults: [passedFile(5)] };
    expect(summarize(quiet)).toMatchObject({ line: '5 passed, 1 failed\n', code: 1 });
    expect(summarize('{ not json')).toMatchObject({ line: '0 passed, 1 failed\n', code: 1 });
    expect(summarize({ numPassedTests: 5 })).toMatchObject({ line: '5 passed, 1 failed\n', code: 1 });
    expect(summarizeFile(join(dir, 'missing.json'))).toMatchObject({ line: '0 passed, 1 failed\n', code: 1 });
  });

  it("reads vitest's own JSON report: a file that fails to load is counted", () => {
    const report = join(dir, 'vitest-report.json');
    const vitest = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        join(ROOT, 'test/ci/fixtures/vitest.config.mjs'),
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VITEST_JSON_REPORT: '' } },
    );
    expect(vitest.status).toBe(1);
    const raw = JSON.parse(readFileSync(report, 'utf8')) as { numFailedTests: number };
    expect(raw.numFailedTests).toBe(1); // what the old closing line printed as "failed"
    const result = summarizeFile(report);
    expect(result).toMatchObject({ line: '2 passed, 2 failed\n', code: 1 });
    expect(result.stderr).toContain('broken.fixture.ts');
  });

  it('.ci/run calls exactly npm ci and npm test, and closes with the summary script', () => {
    const run = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const commands = run
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    expect(commands.match(/\bnpm [a-z-]+/g)).toEqual(['npm ci', 'npm test']);
    expect(commands).toContain('node .ci/summary.cjs "$report"');
  });
});
