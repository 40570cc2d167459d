// The layers of src/: the picture the lint rule encodes (LAYERS in eslint.config.js) is acyclic and
// names every folder, and the source keeps it, folder circles included. The lint rule checks each
// import as it is written; this test checks the whole graph at once, from the source text.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY, type SourceImport, findCycle, importsOf, layerOf, sourceImports } from './sourceGraph.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The imports up a layer that the source states on purpose, each with an
 * `eslint-disable-next-line import-x/no-restricted-paths` that says why (docs/design.md). None
 * since the node moved above the operators it composes (src/node).
 */
const BENDS: readonly Omit<SourceImport, 'line'>[] = [];

let layers: Readonly<Record<string, readonly string[]>>;
let imports: SourceImport[];

beforeAll(async () => {
  const config = (await import(pathToFileURL(`${root}eslint.config.js`).href)) as {
    LAYERS: Readonly<Record<string, readonly string[]>>;
  };
  layers = config.LAYERS;
  imports = sourceImports(root);
});

/** The folder-level edges of the source: importer's layer → imported layers. */
function folderGraph(edges: readonly SourceImport[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { file, target } of edges) {
    const from = layerOf(file);
    const to = layerOf(target);
    if (from === to) continue;
    graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  return graph;
}

describe('the picture (LAYERS in eslint.config.js)', () => {
  it('places every folder of src/, and only those', () => {
    const folders = readdirSync(`${root}src`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const expected = [...folders, 'bus/net'].sort();
    expect(Object.keys(layers).sort()).toEqual(expected);
    for (const [folder, allowed] of Object.entries(layers)) {
      for (const below of allowed) expect(expected, `${folder} may import ${below}`).toContain(below);
      expect(allowed, `${folder} imports itself`).not.toContain(folder);
    }
  });

  it('is acyclic: no two folders may import each other, even through others', () => {
    const graph = new Map(Object.entries(layers).map(([folder, allowed]) => [folder, new Set(allowed)]));
    expect(findCycle(graph)).toBeUndefined();
  });

  it('keeps the floor at the bottom: the errors import nothing of src/, the ports only the errors', () => {
    expect(layers.errors).toEqual([]);
    expect(layers.ports).toEqual(['errors']);
    for (const [folder, allowed] of Object.entries(layers)) {
      if (folder !== 'errors' && folder !== 'ports')
        expect(allowed).toEqual(expect.arrayContaining(['errors', 'ports']));
    }
  });

  it('finds a cycle where there is one (the checker is not blind)', () => {
    const graph = new Map([
      ['integrations', new Set(['dashboard'])],
      ['dashboard', new Set(['operators', 'integrations'])],
      ['operators', new Set<string>()],
    ]);
    expect(findCycle(graph)).toEqual(['integrations', 'dashboard', 'integrations']);
  });
});

describe('the source keeps the picture', () => {
  it('reads the imports of every kind (the scanner is not blind)', () => {
    expect(imports).toContainEqual(
      expect.objectContaining({ file: 'src/resources/Proposal.ts', target: 'src/ports/index.ts' }),
    );
    const probe = [
      "import { a } from '../api/a.js';",
      "import type { B } from '../sources/b.js';",
      "export { c } from '../bus/c.js';",
      "const d = () => import('../operators/d.js');",
      "type E = import('../engine/e.js').E;",
    ].join('\n');
    expect(
      importsOf(root, 'src/resources/probe.ts', probe).map(({ target, kind }) => [target, kind]),
    ).toEqual([
      ['src/api/a.ts', 'static'],
      ['src/sources/b.ts', 'static'],
      ['src/bus/c.ts', 'static'],
      ['src/operators/d.ts', 'dynamic'],
      ['src/engine/e.ts', 'typeQuery'],
    ]);
  });

  it('imports down only: every import across folders is allowed, but for the bends listed', () => {
    const upward = imports
      .filter(({ file, target }) => {
        const from = layerOf(file);
        const to = layerOf(target);
        if (from === to || from === ENTRY) return false;
        return to === ENTRY || !(layers[from] ?? []).includes(to);
      })
      .map(({ file, target, kind }) => ({ file, target, kind }));
    expect(upward).toEqual(BENDS);
  });

  it('has no circle between folders', () => {
    expect(findCycle(folderGraph(imports))).toBeUndefined();
  });

  it('no longer has the circles it had: dashboard ↔ integrations, resources ↔ engine', () => {
    const graph = folderGraph(imports);
    expect(graph.get('integrations') ?? new Set()).not.toContain('dashboard');
    expect(graph.get('resources') ?? new Set()).not.toContain('engine');
  });
});
