#!/usr/bin/env node
// The `golem-rx` command. From a build (an installed package, or after `npm run build`) it runs
// dist/main.js; in a fresh clone of the repository, where nothing is built yet, it runs the
// TypeScript sources through tsx (a dev dependency), so `npx golem-rx devnet` works right after
// `npm ci`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, '..', 'dist', 'main.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: join(here, '..', '..', '..', 'tsconfig.json') });
  await import(pathToFileURL(join(here, '..', 'src', 'main.ts')).href);
}
