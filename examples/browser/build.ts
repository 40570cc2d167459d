/**
 * Builds the browser example: bundles `main.ts` with the core entry `golem-rx` (the repository's
 * `src/index.ts`) for the browser with esbuild, next to a copy of `index.html`.
 *
 * ```sh
 * npx tsx examples/browser/build.ts   # → examples/browser/dist/{index.html,main.js}
 * ```
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the page is built by default. */
export const PAGE_DIR = join(here, 'dist');

/**
 * Bundles the page into `outdir` (created if needed). The bundle is ESM for the browser platform:
 * a Node built-in anywhere in the core's module graph fails the build.
 *
 * @param outdir where `index.html`, `main.js` and its source map go
 * @returns `outdir`
 */
export async function buildPage(outdir: string = PAGE_DIR): Promise<string> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    alias: { 'golem-rx': resolve(here, '../../src/index.ts') },
    logLevel: 'warning',
  });
  await copyFile(join(here, 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.info(`built ${await buildPage()}`);
}
