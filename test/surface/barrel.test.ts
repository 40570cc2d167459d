// The core barrel (src/index.ts) is the output of its generator (scripts/barrel.ts): regenerated
// from the layer barrels and compared, so an export added to a layer barrel reaches `golem-rx`, and
// an export written into src/index.ts by hand fails here.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { OWN_ENTRIES, generateBarrel } from '../../scripts/barrel.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

let generated: string;

beforeAll(async () => {
  generated = await generateBarrel();
}, 60_000);

describe('src/index.ts', () => {
  it('is the output of scripts/barrel.ts (run `npm run barrel` after changing a layer barrel)', () => {
    expect(readFileSync(`${root}src/index.ts`, 'utf8')).toBe(generated);
  });

  it('re-exports one explicit list a layer, from the layer barrels only, in the order of the layers', async () => {
    const { LAYERS } = (await import(pathToFileURL(`${root}eslint.config.js`).href)) as {
      LAYERS: Readonly<Record<string, readonly string[]>>;
    };
    const sources = [...generated.matchAll(/^export (type )?\{[^}]*\} from '\.\/(.+)\/index\.js';$/gm)].map(
      (m) => m[2],
    );
    expect(generated).not.toMatch(/export \*/);
    expect(sources.length).toBe(generated.match(/^export /gm)?.length);
    const order = Object.keys(LAYERS).filter((folder) => !(folder in OWN_ENTRIES));
    expect(sources).toEqual(order.filter((folder) => sources.includes(folder)));
    expect(sources).toEqual(expect.arrayContaining(['errors', 'api', 'resources', 'operators', 'node']));
  });

  it('exports what the layer barrels export (the generator drops nothing of a layer)', async () => {
    const barrels = await Promise.all([
      import('../../src/rx/index.js'),
      import('../../src/api/index.js'),
      import('../../src/resources/index.js'),
      import('../../src/operators/index.js'),
      import('../../src/strategies/index.js'),
      import('../../src/errors/index.js'),
    ]);
    for (const barrel of barrels) {
      for (const [name, value] of Object.entries(barrel)) expect(core, name).toHaveProperty(name, value);
    }
  });
});
