// The published types are honest: what the source documents `@internal` (the node's hooks, the
// resources' mutators) is not in the built declarations (tsup's dts build with `stripInternal`), the
// declarations still type-check on their own (`GolemNode implements ResourceNode` holds without the
// hooks), and every value an entry exports at run time is in its types. Needs `npm run build`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const built = existsSync(join(dist, 'index.d.ts'));

/** The files under `dir` whose name ends with one of `suffixes`. */
function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => suffixes.some((suffix) => file.endsWith(suffix)))
    .map((file) => join(dir, file));
}

/** Does this node's own JSDoc carry `@internal`? */
function isInternal(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'internal');
}

const nameOf = (node: ts.Node): string | undefined => {
  const name = (node as { name?: ts.Node }).name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name))
    ? name.text
    : undefined;
};

/** Every class or interface member of src/ documented `@internal`, as `Owner.member`. */
function internalMembers(): string[] {
  const found = new Set<string>();
  for (const file of filesUnder(join(root, 'src'), ['.ts'])) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if ((ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name !== undefined) {
        for (const member of node.members) {
          const member_ = nameOf(member);
          if (member_ !== undefined && isInternal(member)) found.add(`${node.name.text}.${member_}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...found].sort();
}

/** Every class and interface of the built declarations, with its members (`GolemNode$1` is `GolemNode`). */
function declaredMembers(files: readonly string[]): Map<string, Set<string>> {
  const members = new Map<string, Set<string>>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if ((ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name !== undefined) {
        const owner = node.name.text.replace(/\$\d+$/, '');
        const set = members.get(owner) ?? new Set<string>();
        for (const member of node.members) {
          const name = nameOf(member);
          if (name !== undefined) set.add(name);
        }
        members.set(owner, set);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return members;
}

describe('the source', () => {
  it('documents `@internal` on declarations, never in a file header (TypeScript strips the first statement)', () => {
    // A header comment is the leading comment of the file's first statement: `stripInternal` would
    // drop that statement (usually an import) from the declarations, and break them.
    const headers = filesUnder(join(root, 'src'), ['.ts']).filter((file) => {
      const text = readFileSync(file, 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const first = source.statements[0];
      if (first === undefined || !(ts.isImportDeclaration(first) || ts.isExportDeclaration(first)))
        return false;
      const comments = ts.getLeadingCommentRanges(text, first.getFullStart()) ?? [];
      return comments.some((range) => text.slice(range.pos, range.end).includes('@internal'));
    });
    expect(headers.map((file) => relative(root, file))).toEqual([]);
  });

  it('documents the node hooks the resources use as internal, on GolemNode and ResourceNode alike', () => {
    const internal = internalMembers();
    for (const hook of ['closingOrClosed', 'creating', 'resourceClosed', 'autoclose', 'stopping$']) {
      expect(internal).toContain(`GolemNode.${hook}`);
      expect(internal).toContain(`ResourceNode.${hook}`);
    }
  });
});

describe.skipIf(!built)(
  `the built declarations${built ? '' : ' (SKIPPED: run `npm run build` first)'}`,
  () => {
    let declarations: string[];

    beforeAll(() => {
      declarations = filesUnder(dist, ['.d.ts', '.d.cts']);
    });

    it('contain no member documented @internal', () => {
      const internal = internalMembers();
      expect(internal.length).toBeGreaterThan(10);
      const members = declaredMembers(declarations);
      // the checker is not blind: the public members of the same classes are there
      expect(members.get('GolemNode')).toEqual(expect.objectContaining({ has: expect.any(Function) }));
      for (const visible of ['close', 'proposals$', 'createAllocation', 'events']) {
        expect(members.get('GolemNode')?.has(visible), `GolemNode.${visible}`).toBe(true);
      }
      const leaked = internal.filter((entry) => {
        const [owner, member] = entry.split('.') as [string, string];
        return members.get(owner)?.has(member) === true;
      });
      expect(leaked).toEqual([]);
      for (const file of declarations) expect(readFileSync(file, 'utf8'), file).not.toContain('@internal');
    });

    it('type-check on their own (skipLibCheck off): nothing they reference was stripped', () => {
      const program = ts.createProgram(declarations, {
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'],
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
      });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file === undefined || d.file.fileName.startsWith(dist))
        .map((d) => {
          const where = d.file === undefined ? '' : `${relative(root, d.file.fileName)}: `;
          return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      expect(errors).toEqual([]);
    }, 120_000);

    it('declare every value each entry exports at run time (no export lost its type)', async () => {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        exports: Record<string, string | { import: { types: string; default: string } }>;
      };
      const entries = Object.values(pkg.exports).filter((e) => typeof e !== 'string');
      const program = ts.createProgram(
        entries.map((e) => join(root, e.import.types)),
        { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true },
      );
      const checker = program.getTypeChecker();
      for (const entry of entries) {
        const source = program.getSourceFile(join(root, entry.import.types))!;
        const typed = new Set(
          checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => s.name),
        );
        const runtime = Object.keys(
          (await import(pathToFileURL(join(root, entry.import.default)).href)) as object,
        );
        expect(runtime.length, entry.import.default).toBeGreaterThan(0);
        expect(
          runtime.filter((name) => !typed.has(name)),
          entry.import.types,
        ).toEqual([]);
      }
    }, 60_000);
  },
);
