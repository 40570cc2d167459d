/**
 * A fresh clone has nothing beside it: the specs the contract test needs are vendored in
 * specs/yagna (with their source noted), and no test, benchmark or source file reaches outside
 * the repository for them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecs, repoRoot } from './support/openapi.js';

const ROOT = repoRoot();
const SPECS = ['common', 'market-api', 'activity-api', 'payment-api', 'identity-api', 'version-api'];

/** Every file under `dir` (recursively) whose name ends with one of `extensions`. */
function filesUnder(dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, extensions));
    else if (extensions.some((ext) => entry.endsWith(ext))) out.push(path);
  }
  return out;
}

describe('vendored yagna specs', () => {
  it('specs/yagna holds every spec the contract test loads, and names their source commit', () => {
    for (const name of SPECS) {
      expect(readFileSync(join(ROOT, 'specs/yagna', `${name}.yaml`), 'utf8')).toMatch(/^openapi: 3\.0/m);
    }
    const readme = readFileSync(join(ROOT, 'specs/yagna/README.md'), 'utf8');
    expect(readme).toContain('golemfactory/ya-client');
    expect(readme).toContain('3c6b1d0c49bd6712fca4ea7d929bc63351c8eb93');
    const specs = loadSpecs(); // the default directory: specs/yagna in this repository
    expect(specs.operation('POST', '/activity-api/v1/activity')?.file).toBe('activity-api.yaml');
    expect(specs.hasSchema('activity-api.yaml', 'ActivityState')).toBe(true);
  });

  it('no test, benchmark, example or source file reads a folder beside the repository', () => {
    const outside = ['..', 'shared'].join('/');
    const offenders = ['test', 'marbles', 'bench', 'src', 'examples']
      .flatMap((dir) => filesUnder(join(ROOT, dir), ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']))
      .filter((file) => readFileSync(file, 'utf8').includes(outside))
      .map((file) => file.slice(ROOT.length + 1));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(ROOT, 'vitest.config.ts'), 'utf8')).not.toContain(outside);
  });
});
