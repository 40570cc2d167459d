#!/usr/bin/env node
// The closing line of .ci/run: `N passed, M failed` from vitest's JSON report, and the exit code.
//
// M counts every failed test, plus every test file that failed without a failed test: a file
// that failed to load (a syntax or import error: no test ran, `numFailedTests` does not count
// it), or whose hooks failed. Each such file counts as 1. A report that says it did not succeed
// but shows no failure, a missing or unreadable report, all count as 1 failure too.
//
// Usage: node .ci/summary.cjs <report.json>   (exits 1 when M > 0, else 0)
'use strict';
const { readFileSync } = require('node:fs');

/**
 * Counts a vitest (jest-compatible) JSON report.
 * @param {unknown} report the parsed report
 * @returns {{ passed: number, failed: number, broken: string[] }} `broken`: the files that failed without a failed test
 */
function summarize(report) {
  const r = report !== null && typeof report === 'object' ? report : {};
  const count = (n) => (Number.isInteger(n) && n >= 0 ? n : 0);
  const passed = count(r.numPassedTests);
  let failed = count(r.numFailedTests);
  const files = Array.isArray(r.testResults) ? r.testResults : [];
  const broken = [];
  for (const file of files) {
    if (file === null || typeof file !== 'object' || file.status !== 'failed') continue;
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    if (!assertions.some((a) => a !== null && typeof a === 'object' && a.status === 'failed')) {
      broken.push(String(file.name ?? '(unnamed file)'));
    }
  }
  failed += broken.length;
  if (
    failed === 0 &&
    (r.success === false || count(r.numFailedTestSuites) > 0 || !Array.isArray(r.testResults))
  ) {
    failed = 1;
  }
  return { passed, failed, broken };
}

function main(path) {
  let summary;
  try {
    summary = summarize(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    process.stderr.write(
      `cannot read the test report ${path}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    summary = { passed: 0, failed: 1, broken: [] };
  }
  for (const name of summary.broken) process.stderr.write(`failed to run (counted as 1 failure): ${name}\n`);
  process.stdout.write(`${summary.passed} passed, ${summary.failed} failed\n`);
  return summary.failed > 0 ? 1 : 0;
}

if (require.main === module) {
  if (process.argv.length < 3) {
    process.stderr.write('usage: node .ci/summary.cjs <report.json>\n');
    process.exit(2);
  }
  process.exitCode = main(process.argv[2]);
}

module.exports = { summarize };
