import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm test` builds with tsup before vitest runs, so dist/ is fresh here.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p: string) => resolve(root, 'dist', p);

function node(code: string, type: 'commonjs' | 'module'): string {
  const flag = type === 'module' ? '--input-type=module' : '--input-type=commonjs';
  return execFileSync(process.execPath, [flag, '-e', code], { cwd: root, encoding: 'utf8' }).trim();
}

describe('the published package', () => {
  it('builds every entry of the exports map, with types', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, Record<string, string>>>;
    };
    for (const [entry, conditions] of Object.entries(pkg.exports)) {
      if (typeof conditions === 'string') continue;
      for (const target of Object.values(conditions)) {
        expect(existsSync(resolve(root, target.types!)), `${entry} types`).toBe(true);
        expect(existsSync(resolve(root, target.default!)), `${entry} code`).toBe(true);
      }
    }
  });

  it('loads from CommonJS with require() (ky bundled into the CJS build)', () => {
    const out = node(
      `const g = require('golem-rx'); const t = require('golem-rx/testing');
       for (const f of ['node', 'express', 'fastify', 'hono']) require('golem-rx/' + f);
       console.log(typeof g.GolemRxError, typeof t.fakeOfferProposal)`,
      'commonjs',
    );
    expect(out).toBe('function function');
  });

  it('loads from ESM with import', () => {
    const out = node(`const g = await import('golem-rx'); console.log(typeof g.GolemRxError)`, 'module');
    expect(out).toBe('function');
  });

  it('keeps rxjs external, so users share one rxjs copy (and one TestScheduler)', () => {
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(dist(file), 'utf8');
      expect(code).not.toMatch(/class Subscriber\b/);
      expect(code).not.toMatch(/function createOperatorSubscriber/);
    }
  });
});
