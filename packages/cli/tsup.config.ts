import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const source = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/** `golem-rx` and its subpath entries, each to its source (as the root tsconfig's paths). */
const library: Record<string, string> = {
  'golem-rx': source('index.ts'),
  'golem-rx/testing': source('testing/index.ts'),
  'golem-rx/engine': source('engine/index.ts'),
  'golem-rx/storage': source('storage/index.ts'),
  'golem-rx/bus': source('bus/net/index.ts'),
  'golem-rx/promises': source('promises/index.ts'),
  'golem-rx/web': source('web.ts'),
  'golem-rx/web/node': source('integrations/node.ts'),
  'golem-rx/web/express': source('integrations/express.ts'),
  'golem-rx/web/fastify': source('integrations/fastify.ts'),
  'golem-rx/web/hono': source('integrations/hono.ts'),
  'golem-rx/node': source('logging/node.ts'),
};

// The command line carries the golem-rx it was built with (bundled from the repository's
// sources); rxjs, devnet and the other dependencies stay external.
export default defineConfig({
  entry: { index: 'src/index.ts', main: 'src/main.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['rxjs', '@golem-rx/devnet'],
  noExternal: [/^golem-rx(\/|$)/],
  esbuildOptions(options) {
    options.alias = library;
  },
});
