/**
 * The core entry (`golem-rx`) and `golem-rx/testing` are browser-safe: bundled for the browser
 * platform by esbuild, their module graph (static imports, `require`, and `import()`) reaches no
 * Node built-in and no server library. A violation fails with the chain of importers that leads to
 * it. The bundle then runs in a sandbox without `process`, `Buffer` or `require`.
 */
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { type Metafile, type Plugin, build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const ENTRIES = {
  'golem-rx': 'src/index.ts',
  'golem-rx/testing': 'src/testing/index.ts',
} as const;

/** Packages that run servers: never part of the browser-safe entries. */
const SERVER_LIBRARY = /^(fastify|express|hono|@hono\/[^/]+|@fastify\/[^/]+|fastify-[^/]+)(\/|$)/;
const BUILTINS = new Set(builtinModules);

/** Why `path` may not be imported by a browser-safe entry, or `undefined` if it may. */
function forbidden(path: string): string | undefined {
  if (path.startsWith('node:')) return 'a Node built-in';
  if (BUILTINS.has(path) || BUILTINS.has(path.split('/')[0]!)) return 'a Node built-in';
  if (SERVER_LIBRARY.test(path)) return 'a server library';
  return undefined;
}

/** Marks every forbidden import external (so the build goes on and the metafile records it). */
const recordForbidden: Plugin = {
  name: 'record-forbidden',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) =>
      forbidden(args.path) === undefined ? undefined : { path: args.path, external: true },
    );
  },
};

interface Violation {
  readonly specifier: string;
  readonly why: string;
  readonly chain: readonly string[];
}

/** The forbidden imports of the graph, each with the shortest importer chain from the entry. */
function violations(metafile: Metafile, entry: string): Violation[] {
  const parent = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  const found: Violation[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      const why = imported.external ? forbidden(imported.path) : undefined;
      if (why !== undefined) {
        const chain = [imported.path];
        for (let at = file; at !== ''; at = parent.get(at) ?? '') chain.unshift(at);
        found.push({ specifier: imported.path, why, chain });
      } else if (!imported.external && !parent.has(imported.path)) {
        parent.set(imported.path, file);
        queue.push(imported.path);
      }
    }
  }
  return found;
}

async function bundle(entry: string, format: 'esm' | 'iife') {
  return build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format,
    globalName: format === 'iife' ? 'golemRx' : undefined,
    metafile: true,
    logLevel: 'silent',
    plugins: [recordForbidden],
  });
}

describe('the browser-safe entries', () => {
  it('the check itself: flags built-ins, node: specifiers and server libraries, not the core deps', () => {
    expect(forbidden('node:net')).toBe('a Node built-in');
    expect(forbidden('fs')).toBe('a Node built-in');
    expect(forbidden('fs/promises')).toBe('a Node built-in');
    expect(forbidden('fastify')).toBe('a server library');
    expect(forbidden('@hono/node-server')).toBe('a server library');
    expect(forbidden('express')).toBe('a server library');
    for (const ok of ['rxjs', 'rxjs/testing', 'ky', 'decimal.js', './events.js'])
      expect(forbidden(ok)).toBeUndefined();
  });

  it('the check itself: a Node-only entry is caught, with its importer chain', async () => {
    const result = await bundle('src/storage/index.ts', 'esm');
    const found = violations(result.metafile, 'src/storage/index.ts');
    expect(found.map((v) => v.specifier)).toContain('node:http');
    expect(found.find((v) => v.specifier === 'node:http')?.chain).toEqual([
      'src/storage/index.ts',
      'src/storage/StorageServer.ts',
      'node:http',
    ]);
  });

  for (const [name, entry] of Object.entries(ENTRIES)) {
    it(`${name} (${entry}) bundles for the browser without a Node built-in or a server library`, async () => {
      const result = await bundle(entry, 'esm');
      const found = violations(result.metafile, entry);
      const report = found.map((v) => `${v.specifier} (${v.why}): ${v.chain.join(' → ')}`);
      expect(report, 'imports a browser cannot load').toEqual([]);
      // `import(variable)` is not followed by the bundler: none may hide there
      expect(result.warnings.map((w) => w.text)).toEqual([]);
      expect(Object.keys(result.metafile.inputs)).toContain(entry);
    });
  }

  it('runs where there is no process, Buffer or require; the default logger writes to console.error', async () => {
    const result = await bundle(ENTRIES['golem-rx'], 'iife');
    const logged: unknown[][] = [];
    const sandbox: Record<string, unknown> = {
      console: { ...console, error: (...args: unknown[]) => logged.push(args) },
      AbortController,
      AbortSignal,
      Event,
      EventTarget,
      FormData,
      Headers,
      ReadableStream,
      Request,
      Response,
      TextDecoder,
      TextEncoder,
      URL,
      URLSearchParams,
      clearTimeout,
      fetch,
      queueMicrotask,
      setTimeout,
      structuredClone,
    };
    runInNewContext(result.outputFiles[0]!.text, sandbox);
    expect(['process', 'Buffer', 'require'].filter((g) => g in sandbox)).toEqual([]);
    const lib = sandbox['golemRx'] as typeof import('../../src/index.js');
    expect(typeof lib.GolemNode).toBe('function');
    const bus = new lib.EventBus();
    const handle = lib.enableDefaultLogger(bus, { clock: () => 0 });
    bus.emit(new lib.NodeStarted({ baseUrl: 'http://127.0.0.1:7465' }));
    await bus.drain();
    handle.stop();
    expect(logged).toEqual([
      ['{"time":"1970-01-01T00:00:00.000Z","type":"NodeStarted","node":{"baseUrl":"http://127.0.0.1:7465"}}'],
    ]);
  });
});
