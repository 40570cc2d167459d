/**
 * Generates `src/index.ts`, the core barrel, from the layer barrels (`src/<layer>/index.ts`), in
 * the order of the layers (`LAYERS` in eslint.config.js): one `export { … } from './<layer>/index.js'`
 * a layer, its names in the order its barrel gives them (so each Config stays next to its function)
 * under the barrel's own `// ---` headings, titled by the first sentence of the barrel's leading
 * comment. A name two barrels export (the ports re-exported by the operators) is listed once, with
 * the lower layer. The folders that are entries of their own ({@link OWN_ENTRIES}) are left out.
 *
 * Run `npm run barrel` (`tsx scripts/barrel.ts`) after changing a layer barrel;
 * `tsx scripts/barrel.ts --check` exits 1 when `src/index.ts` is not the generator's output
 * (test/surface/barrel.test.ts does the same).
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import prettier from 'prettier';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const INDEX = 'src/index.ts';

/**
 * The folders of `src/` whose barrel is an entry of its own (package.json `exports`), not part of
 * the core: Node-only, or the test kit.
 */
export const OWN_ENTRIES: Readonly<Record<string, string>> = {
  engine: 'golem-rx/engine',
  storage: 'golem-rx/storage',
  'bus/net': 'golem-rx/bus',
  promises: 'golem-rx/promises',
  integrations: 'golem-rx/web',
  dashboard: 'golem-rx/web',
  testing: 'golem-rx/testing',
  nats: 'golem-rx/nats',
  jobs: 'golem-rx/nats',
};

/** One exported name of a layer barrel. */
interface Name {
  readonly name: string;
  readonly typeOnly: boolean;
  /** The barrel's `// --- …` heading it sits under, if any. */
  readonly heading: string | undefined;
  /** The declaration it stands for (to tell a re-export of the same thing from a clash). */
  readonly target: ts.Symbol;
}

/** The core layers in order: the folders of `LAYERS`, without those that are entries of their own. */
async function coreLayers(): Promise<string[]> {
  const config = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
    LAYERS: Readonly<Record<string, readonly string[]>>;
  };
  return Object.keys(config.LAYERS).filter((folder) => !(folder in OWN_ENTRIES));
}

function program(barrels: readonly string[]): ts.Program {
  const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  if (configFile.error !== undefined)
    throw new Error(ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  return ts.createProgram(barrels, { ...options, noEmit: true });
}

/** Is the symbol only a type, along its whole alias chain? */
function isTypeOnly(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  let current: ts.Symbol | undefined = symbol;
  while (current !== undefined) {
    if (current.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d)) === true) return true;
    if ((current.flags & ts.SymbolFlags.Alias) === 0) break;
    current = checker.getImmediateAliasedSymbol(current);
  }
  return (resolve(checker, symbol).flags & ts.SymbolFlags.Value) === 0;
}

function resolve(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return (symbol.flags & ts.SymbolFlags.Alias) === 0 ? symbol : checker.getAliasedSymbol(symbol);
}

/** The `// --- heading` comments just before `node`. */
function headingOf(source: ts.SourceFile, node: ts.Node): string | undefined {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  let heading: string | undefined;
  for (const range of ranges) {
    const match = /^\/\/\s*---\s*(.+)$/.exec(source.text.slice(range.pos, range.end));
    if (match !== null) heading = match[1]!.trim();
  }
  return heading;
}

/** The names a barrel exports, in the order it gives them. */
function namesOf(checker: ts.TypeChecker, source: ts.SourceFile): Name[] {
  const module = checker.getSymbolAtLocation(source);
  if (module === undefined) return [];
  const exports = new Map(checker.getExportsOfModule(module).map((s) => [s.name, s]));
  const names: Name[] = [];
  let heading: string | undefined;
  const add = (name: string, typeOnly: boolean): void => {
    const symbol = exports.get(name);
    if (symbol === undefined) throw new Error(`${source.fileName}: ${name} is not an export`);
    names.push({
      name,
      heading,
      typeOnly: typeOnly || isTypeOnly(checker, symbol),
      target: resolve(checker, symbol),
    });
  };
  for (const statement of source.statements) {
    heading = headingOf(source, statement) ?? heading;
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause === undefined) {
        // export * from / export type * from: the target's names, sorted
        const target = checker.getSymbolAtLocation(statement.moduleSpecifier!);
        if (target === undefined)
          throw new Error(`${source.fileName}: cannot resolve ${statement.moduleSpecifier!.getText()}`);
        const star = checker.getExportsOfModule(target).map((s) => s.name);
        for (const name of star.sort()) add(name, statement.isTypeOnly);
      } else if (ts.isNamedExports(clause)) {
        for (const element of clause.elements)
          add(element.name.text, statement.isTypeOnly || element.isTypeOnly);
      } else {
        add(clause.name.text, statement.isTypeOnly);
      }
      continue;
    }
    if (ts.isExportAssignment(statement))
      throw new Error(`${source.fileName}: a barrel has no default export`);
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) !== true) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        add(declaration.name.getText(source), false);
    } else if (
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      if (statement.name !== undefined) add(statement.name.text, false);
    }
  }
  return names;
}

/** The first sentence of the barrel's leading comment, as `src/<layer>: …`. */
function titleOf(source: ts.SourceFile, layer: string): string {
  const ranges = ts.getLeadingCommentRanges(source.text, 0) ?? [];
  const text = ranges
    .map((range) => source.text.slice(range.pos, range.end))
    .map((comment) =>
      comment
        .replace(/^\/\*\*?|\*\/$/g, '')
        .split('\n')
        .map((line) => line.replace(/^\s*(\/\/|\*)?\s?/, ''))
        .join(' '),
    )
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '')
    throw new Error(`src/${layer}/index.ts: a layer barrel begins with a comment that says what it holds`);
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text.replace(/\s*@module\b.*$/, ''))?.[1] ?? text;
  return sentence.startsWith(`src/${layer}`) ? sentence : `src/${layer}: ${sentence}`;
}

/** `text` as `//` comment lines of at most `width` characters. */
function commentLines(text: string, width = 110): string[] {
  const lines: string[] = [];
  let line = '//';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > width && line !== '//') {
      lines.push(line);
      line = '//   ';
    }
    line = line === '//   ' ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** The text of `src/index.ts`, formatted with the repository's Prettier configuration. */
export async function generateBarrel(): Promise<string> {
  const layers = await coreLayers();
  const barrels = layers.map((layer) => join(root, 'src', layer, 'index.ts'));
  const built = program(barrels);
  const checker = built.getTypeChecker();
  const taken = new Map<string, { layer: string; target: ts.Symbol }>();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries = Object.entries(pkg.exports)
    .filter(([subpath, target]) => subpath !== '.' && typeof target !== 'string')
    .map(([subpath]) => `golem-rx${subpath.slice(1)}`);
  const out: string[] = [
    '// golem-rx: the core barrel, browser-safe (no Node built-in, no server library in its module graph).',
    '// GENERATED by scripts/barrel.ts (`npm run barrel`) from the layer barrels, src/<layer>/index.ts, in',
    '// the order of the layers (LAYERS in eslint.config.js): do not edit it, export from the layer barrel',
    '// and run the generator (test/surface/barrel.test.ts fails on any difference). The other entries',
    ...commentLines(`(package.json exports): ${entries.join(', ')}.`),
  ];
  for (const [i, layer] of layers.entries()) {
    const source = built.getSourceFile(barrels[i]!);
    if (source === undefined)
      throw new Error(
        `src/${layer} is a layer of the core entry but has no barrel: give it src/${layer}/index.ts ` +
          '(its public exports, maybe none), or add it to OWN_ENTRIES in scripts/barrel.ts if it is an entry of its own',
      );
    const lines: string[] = [];
    let heading: string | undefined;
    for (const name of namesOf(checker, source)) {
      const seen = taken.get(name.name);
      if (seen !== undefined) {
        if (seen.target !== name.target)
          throw new Error(
            `${name.name} is exported by src/${seen.layer} and, as something else, by src/${layer}`,
          );
        continue;
      }
      taken.set(name.name, { layer, target: name.target });
      if (name.heading !== heading && name.heading !== undefined) lines.push(`  // ${name.heading}`);
      heading = name.heading;
      lines.push(`  ${name.typeOnly ? 'type ' : ''}${name.name},`);
    }
    if (lines.length === 0) continue;
    out.push('', ...commentLines(`--- ${titleOf(source, layer)}`));
    out.push('export {', ...lines, `} from './${layer}/index.js';`);
  }
  const text = `${out.join('\n')}\n`;
  const options = await prettier.resolveConfig(join(root, INDEX));
  return prettier.format(text, { ...options, filepath: join(root, INDEX) });
}

/** Writes `src/index.ts`, or with `--check` exits 1 when it differs from the generator's output. */
async function main(argv: readonly string[]): Promise<void> {
  const generated = await generateBarrel();
  const path = join(root, INDEX);
  const current = readFileSync(path, 'utf8');
  if (argv.includes('--check')) {
    if (current !== generated) {
      process.stderr.write(
        `${relative(process.cwd(), path)} is not the output of scripts/barrel.ts: run npm run barrel\n`,
      );
      process.exitCode = 1;
    }
    return;
  }
  if (current !== generated) writeFileSync(path, generated);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
