import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'integrations/node': 'src/integrations/node.ts',
      'integrations/express': 'src/integrations/express.ts',
      'integrations/fastify': 'src/integrations/fastify.ts',
      'integrations/hono': 'src/integrations/hono.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    external: ['rxjs'],
    // ky is ESM-only: bundle it into the CommonJS build so `require('golem-rx')` works on every Node >= 20.
    noExternal: ['ky'],
  },
]);
