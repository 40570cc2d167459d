import { defineConfig } from 'tsup';

// One entry per subpath of package.json's `exports`. The core (`index`, `testing/index`) is
// browser-safe; the others are Node-only (test/browser proves the split).
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'engine/index': 'src/engine/index.ts',
      'storage/index': 'src/storage/index.ts',
      'bus/index': 'src/bus/net/index.ts',
      'promises/index': 'src/promises/index.ts',
      'web/index': 'src/web.ts',
      'web/node': 'src/integrations/node.ts',
      'web/express': 'src/integrations/express.ts',
      'web/fastify': 'src/integrations/fastify.ts',
      'web/hono': 'src/integrations/hono.ts',
      'node/index': 'src/logging/node.ts',
      'net/index': 'src/network/proxy/index.ts',
      'nats/index': 'src/nats.ts',
    },
    format: ['esm', 'cjs'],
    // The published types leave out what is documented `@internal` (the node's hooks, the
    // resources' mutators): test/surface/internal.test.ts checks the built declarations.
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    sourcemap: true,
    target: 'node20',
    // Shared code goes to shared chunks in both formats, so that the entries share one copy of
    // each class (`GolemNode`, the bus events, the errors): `instanceof` holds across subpaths.
    splitting: true,
    external: ['rxjs', /^@nats-io\//],
    // ky is ESM-only: bundle it into the CommonJS build so `require('golem-rx')` works on every Node >= 20.
    noExternal: ['ky'],
  },
]);
