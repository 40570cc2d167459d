/**
 * The import graph of `src/` as the source text states it, read with TypeScript's own parser:
 * static imports and re-exports (type-only ones included), `import()` expressions and
 * `import('…').T` type queries. Only relative specifiers are followed (`./x.js` is `./x.ts`).
 *
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of one file of `src/`. */
export interface SourceImport {
  /** The importing file, relative to the repository (`src/resources/nodePayments.ts`). */
  readonly file: string;
  /** Its line, 1-based. */
  readonly line: number;
  /** The imported file, relative to the repository. */
  readonly target: string;
  /** `static` (import / export … from, type-only included), `dynamic` (`import()`), or `typeQuery`. */
  readonly kind: 'static' | 'dynamic' | 'typeQuery';
}

/** The files of a tree, relative to `root`, `/`-separated. */
export function filesUnder(root: string, folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Every relative import of every `.ts` file under `src/`. */
export function sourceImports(root: string): SourceImport[] {
  return filesUnder(root, 'src').flatMap((file) =>
    importsOf(root, file, readFileSync(join(root, file), 'utf8')),
  );
}

/** The relative imports of one source file (`file`, relative to `root`) of every kind. */
export function importsOf(root: string, file: string, text: string): SourceImport[] {
  const found: SourceImport[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const add = (specifier: ts.Node | undefined, kind: SourceImport['kind']): void => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) return;
    if (!specifier.text.startsWith('.')) return;
    const absolute = resolve(root, dirname(file), specifier.text).replace(/\.js$/, '.ts');
    const line = source.getLineAndCharacterOfPosition(specifier.getStart(source)).line + 1;
    found.push({ file, line, target: relative(root, absolute).split(sep).join('/'), kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier, 'static');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, 'static');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], 'dynamic');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, 'typeQuery');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The entries at the top of `src/` (`src/index.ts`, …): they may import anything. */
export const ENTRY = '(entry)';

/** The layer a file of `src/` belongs to: its folder (`bus/net` for the cross-process bus), or {@link ENTRY}. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'src') throw new Error(`${file} is not under src/`);
  if (parts.length === 2) return ENTRY;
  if (parts[1] === 'bus' && parts[2] === 'net' && parts.length > 3) return 'bus/net';
  return parts[1]!;
}

/**
 * A cycle of the graph (`[a, b, …, a]`), or `undefined` when it is acyclic.
 *
 * @param edges - each node and the nodes it points to
 */
export function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
