/**
 * The README's "In the browser" block is the example page's code: each of its lines, but the
 * `// …` elisions, is a line of examples/browser/main.ts, in the same order. (The page itself is
 * type-checked with the project and run in Chromium by page.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The lines of `block` not found, in order, among `source`'s lines. */
function missingLines(block: readonly string[], source: readonly string[]): string[] {
  const missing: string[] = [];
  let at = 0;
  for (const line of block) {
    const found = source.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

describe("the README's browser example", () => {
  it('is an excerpt of examples/browser/main.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## In the browser\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has no ts block under "## In the browser"').toBeDefined();
    const lines = block!.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('// …'));
    expect(lines.length).toBeGreaterThan(20);
    const source = readFileSync(join(root, 'examples/browser/main.ts'), 'utf8').split('\n');
    expect(missingLines(lines, source)).toEqual([]);
  });

  it('catches a line the page does not have', () => {
    expect(missingLines(['a', 'c', 'b'], ['a', 'b', 'c'])).toEqual(['b']);
  });
});
