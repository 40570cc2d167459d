/**
 * The BUILT core entry, loaded by Node as a user's program loads it (`import 'golem-rx'` and
 * `require('golem-rx')`, through the package's exports map), loads no fastify (nor any server
 * library) and asks for no Node built-in. Observed in a fresh child process: every ESM specifier
 * through a `module.register` resolve hook, every `require` through `Module._load`, and Node's
 * own list of loaded built-ins against a baseline that loads only the core's dependencies.
 * The same probe on `golem-rx/web` (the dashboard runs on fastify) proves it sees what it must.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const built = existsSync(join(root, 'dist/index.js')) && existsSync(join(root, 'dist/index.cjs'));

const SERVER_LIBRARY = /^(fastify|express|hono|@hono\/[^/]+|@fastify\/[^/]+)(\/|$)/;
const SERVER_LIBRARY_FILE = /\/node_modules\/(fastify|express|hono|@hono|@fastify|avvio|find-my-way)\//;
const BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

/** The resolve hook (in Node's hooks thread): reports each specifier and what it resolved to. */
const HOOKS = `
let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage({ specifier, url: result.url });
  return result;
}`;

interface EsmLoad {
  readonly seen: readonly { readonly specifier: string; readonly url: string }[];
  /** Public built-ins Node has loaded by the end (its own fetch loads some, for everyone). */
  readonly builtins: readonly string[];
}

/** Imports `specifiers` in a fresh Node, with the resolve hook registered first. */
function loadEsm(specifiers: readonly string[]): EsmLoad {
  const probe = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const sentinel = 'data:text/javascript,export%20default%201';
    const seen = [];
    const done = new Promise((resolve) =>
      port1.on('message', (m) => (m.specifier === sentinel ? resolve() : seen.push(m))),
    );
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), import.meta.url, {
      data: { port: port2 },
      transferList: [port2],
    });
    for (const specifier of ${JSON.stringify(specifiers)}) await import(specifier);
    await import(sentinel); // messages arrive in order: once it is seen, all were
    await done;
    port1.close();
    const builtins = process.moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => m.slice('NativeModule '.length));
    console.log(JSON.stringify({ seen, builtins }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as EsmLoad;
}

interface CjsLoad {
  readonly requested: readonly string[];
  readonly files: readonly string[];
}

/** Requires `specifier` in a fresh Node, recording every `require` request and loaded file. */
function loadCjs(specifier: string): CjsLoad {
  const probe = `
    const Module = require('node:module');
    const requested = [];
    const load = Module._load;
    Module._load = function (request, ...rest) {
      requested.push(request);
      return load.call(this, request, ...rest);
    };
    require(${JSON.stringify(specifier)});
    console.log(JSON.stringify({ requested, files: Object.keys(require.cache) }));`;
  const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', probe], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as CjsLoad;
}

describe.skipIf(!built)(
  `the built core in Node${built ? '' : ' (SKIPPED: run `npm run build` first)'}`,
  () => {
    it("import 'golem-rx' asks for no Node built-in and resolves no server library", () => {
      const { seen } = loadEsm(['golem-rx']);
      expect(seen.map((s) => s.specifier)).toContain('golem-rx');
      expect(seen.filter((s) => isBuiltin(s.specifier)).map((s) => s.specifier)).toEqual([]);
      expect(seen.filter((s) => SERVER_LIBRARY.test(s.specifier) || SERVER_LIBRARY_FILE.test(s.url))).toEqual(
        [],
      );
    });

    it("import 'golem-rx' loads no built-in that its dependencies (rxjs, ky, decimal.js) do not", () => {
      const baseline = new Set(loadEsm(['rxjs', 'ky', 'decimal.js']).builtins);
      const core = loadEsm(['golem-rx']).builtins;
      expect(core.filter((m) => !baseline.has(m) && BUILTINS.has(m))).toEqual([]);
    });

    it("require('golem-rx') requires no Node built-in and loads no server library", () => {
      const { requested, files } = loadCjs('golem-rx');
      expect(requested).toContain('golem-rx');
      expect(requested.filter(isBuiltin)).toEqual([]);
      expect(requested.filter((r) => SERVER_LIBRARY.test(r))).toEqual([]);
      expect(files.filter((f) => SERVER_LIBRARY_FILE.test(f))).toEqual([]);
    });

    it('the probes see a Node-only entry load fastify and built-ins (so the checks above can fail)', () => {
      const esm = loadEsm(['golem-rx/web']);
      expect(esm.seen.map((s) => s.specifier)).toContain('fastify');
      expect(esm.seen.filter((s) => SERVER_LIBRARY_FILE.test(s.url)).length).toBeGreaterThan(0);
      expect(esm.seen.some((s) => isBuiltin(s.specifier))).toBe(true);
      const cjs = loadCjs('golem-rx/web');
      expect(cjs.requested).toContain('fastify');
      expect(cjs.requested.some(isBuiltin)).toBe(true);
      expect(cjs.files.filter((f) => SERVER_LIBRARY_FILE.test(f)).length).toBeGreaterThan(0);
    });
  },
);
