import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const library = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

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
  noExternal: ['golem-rx'],
  esbuildOptions(options) {
    options.alias = { 'golem-rx': library };
  },
});
