import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm test` builds with tsup before vitest runs, so dist/ is fresh here.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p: string) => resolve(root, 'dist', p);
const built = existsSync(dist('index.js'));

type Conditions = Record<'import' | 'require', Record<'types' | 'default', string>>;

const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Conditions>;
};
/** Every subpath of the exports map with code: `golem-rx`, `golem-rx/testing`, `golem-rx/engine`, … */
const entries = Object.entries(pkg.exports)
  .filter((e): e is [string, Conditions] => typeof e[1] !== 'string')
  .map(([subpath, conditions]) => ({ name: `golem-rx${subpath.slice(1)}`, subpath, conditions }));

function node(code: string, type: 'commonjs' | 'module'): string {
  const flag = type === 'module' ? '--input-type=module' : '--input-type=commonjs';
  return execFileSync(process.execPath, [flag, '-e', code], { cwd: root, encoding: 'utf8' }).trim();
}

describe('the exports map', () => {
  it('has the decided entries: the browser-safe core and testing kit, and the Node-only subpaths', () => {
    expect(entries.map((e) => e.name)).toEqual([
      'golem-rx',
      'golem-rx/testing',
      'golem-rx/engine',
      'golem-rx/storage',
      'golem-rx/bus',
      'golem-rx/promises',
      'golem-rx/web',
      'golem-rx/web/node',
      'golem-rx/web/express',
      'golem-rx/web/fastify',
      'golem-rx/web/hono',
      'golem-rx/node',
      'golem-rx/net',
      'golem-rx/nats',
    ]);
  });

  it('inside the repository, each entry resolves to the source tsup builds it from (tsconfig paths)', async () => {
    const tsup = (await import('../../tsup.config.js')).default as unknown as readonly {
      entry: Record<string, string>;
    }[];
    const built = tsup[0]!.entry;
    const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    for (const { name, conditions } of entries) {
      const output = conditions.import.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
      const source = built[output];
      expect(source, `${name}: a tsup entry for ${output}`).toBeDefined();
      expect(tsconfig.compilerOptions.paths[name], `${name}: tsconfig paths`).toEqual([`./${source}`]);
    }
  });

  it('inside the repository, each entry resolves to its source under vitest too (aliases)', async () => {
    const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    for (const { name } of entries) {
      const [source] = tsconfig.compilerOptions.paths[name]!;
      const viaAlias: unknown = await import(/* @vite-ignore */ name);
      const direct: unknown = await import(/* @vite-ignore */ resolve(root, source!));
      expect(viaAlias, name).toBe(direct);
    }
  });
});

describe.skipIf(!built)(
  `the published package${built ? '' : ' (SKIPPED: run `npm run build` first)'}`,
  () => {
    it('builds every entry of the exports map, with types', () => {
      for (const { name, conditions } of entries) {
        for (const target of Object.values(conditions)) {
          expect(existsSync(resolve(root, target.types)), `${name} types`).toBe(true);
          expect(existsSync(resolve(root, target.default)), `${name} code`).toBe(true);
        }
      }
    });

    it('loads every entry from CommonJS with require() (ky bundled into the CJS build)', () => {
      const out = node(
        `const names = ${JSON.stringify(entries.map((e) => e.name))};
       console.log(names.map((n) => n + ' ' + Object.keys(require(n)).length).join('\\n'))`,
        'commonjs',
      );
      const counts = out.split('\n').map((line) => line.split(' '));
      expect(counts.map(([name]) => name)).toEqual(entries.map((e) => e.name));
      for (const [name, count] of counts) expect(Number(count), `${name} exports`).toBeGreaterThan(0);
    });

    it('loads every entry from ESM with import', () => {
      const out = node(
        `for (const n of ${JSON.stringify(entries.map((e) => e.name))}) {
         const m = await import(n);
         console.log(n + ' ' + Object.keys(m).length);
       }`,
        'module',
      );
      const counts = out.split('\n').map((line) => line.split(' '));
      expect(counts.map(([name]) => name)).toEqual(entries.map((e) => e.name));
      for (const [name, count] of counts) expect(Number(count), `${name} exports`).toBeGreaterThan(0);
    });

    it('the entries share one copy of each class, in both formats (instanceof holds across subpaths)', () => {
      const check = (load: string) => `
      const core = ${load}('golem-rx'), engine = ${load}('golem-rx/engine'), web = ${load}('golem-rx/web');
      const bus = ${load}('golem-rx/bus'), promises = ${load}('golem-rx/promises');
      console.log([
        engine.TaskTimeoutError.prototype instanceof core.GolemRxError,
        web.RunnableChanged.prototype instanceof core.GolemEvent,
        bus.EndpointClosedError.prototype instanceof core.GolemRxError,
        promises.PromiseNotFoundError.prototype instanceof core.GolemRxError,
      ].join(' '));`;
      expect(node(check('require'), 'commonjs')).toBe('true true true true');
      expect(node(check('await import'), 'module')).toBe('true true true true');
    });

    it("the browser-safe entries' declarations need no @types/node", () => {
      for (const entry of ['index.d.ts', 'testing/index.d.ts']) {
        const seen = new Set<string>();
        const queue = [dist(entry)];
        while (queue.length > 0) {
          const file = queue.pop()!;
          if (seen.has(file)) continue;
          seen.add(file);
          const text = readFileSync(file, 'utf8');
          expect(text, file).not.toMatch(/\bNodeJS\.|from ['"]node:|reference types=["']node["']/);
          for (const [, relative] of text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
            queue.push(resolve(dirname(file), `${relative}.d.ts`));
          }
        }
        expect(seen.size, `${entry} and its chunks`).toBeGreaterThan(1);
      }
    });

    it('keeps rxjs external, so users share one rxjs copy (and one TestScheduler)', () => {
      for (const file of ['index.js', 'index.cjs']) {
        const code = readFileSync(dist(file), 'utf8');
        expect(code).not.toMatch(/class Subscriber\b/);
        expect(code).not.toMatch(/function createOperatorSubscriber/);
      }
    });
  },
);
