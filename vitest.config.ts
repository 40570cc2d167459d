import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const jsonReport = process.env.VITEST_JSON_REPORT;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// The library and the workspace packages are tested together from the root; inside the
// repository, `golem-rx` and `@golem-rx/*` resolve to their sources (as in tsconfig's paths).
const librarySubpaths: Readonly<Record<string, string>> = {
  testing: './src/testing/index.ts',
  engine: './src/engine/index.ts',
  storage: './src/storage/index.ts',
  bus: './src/bus/net/index.ts',
  promises: './src/promises/index.ts',
  web: './src/web.ts',
  'web/node': './src/integrations/node.ts',
  'web/express': './src/integrations/express.ts',
  'web/fastify': './src/integrations/fastify.ts',
  'web/hono': './src/integrations/hono.ts',
  node: './src/logging/node.ts',
  net: './src/network/proxy/index.ts',
  nats: './src/nats.ts',
};

export default defineConfig({
  resolve: {
    alias: [
      { find: /^golem-rx$/, replacement: here('./src/index.ts') },
      ...Object.entries(librarySubpaths).map(([subpath, source]) => ({
        find: new RegExp(`^golem-rx/${subpath}$`),
        replacement: here(source),
      })),
      { find: /^@golem-rx\/devnet$/, replacement: here('./packages/devnet/src/index.ts') },
      { find: /^@golem-rx\/cli$/, replacement: here('./packages/cli/src/index.ts') },
    ],
  },
  test: {
    include: ['marbles/**/*.test.ts', 'test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'] },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
