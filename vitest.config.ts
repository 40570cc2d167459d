import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const jsonReport = process.env.VITEST_JSON_REPORT;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// The library and the workspace packages are tested together from the root; inside the
// repository, `golem-rx` and `@golem-rx/*` resolve to their sources (as in tsconfig's paths).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^golem-rx\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^golem-rx$/, replacement: here('./src/index.ts') },
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
