/**
 * `npm run example:browser`: builds the page, serves it on loopback, starts a devnet that allows
 * the page's origin (CORS, as `YAGNA_API_ALLOW_ORIGIN` does for yagna), and prints the page's URL
 * with devnet's URL, app key and image registry in its fragment. Ctrl+C stops both.
 *
 * ```sh
 * npm run example:browser                 # the page on a free port
 * npm run example:browser -- --port 8080  # on a fixed one (e.g. to allow it on a real yagna)
 * ```
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevnet } from '@golem-rx/devnet';
import { buildPage } from './build.js';

/** A static server of the built page. */
export interface PageServer {
  /** The page's URL, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** Its origin, to allow on yagna or devnet: e.g. `http://127.0.0.1:8080`. */
  readonly origin: string;
  /** Stops serving. */
  close(): Promise<void>;
}

const FILES: Readonly<Record<string, readonly [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/main.js': ['main.js', 'text/javascript; charset=utf-8'],
  '/main.js.map': ['main.js.map', 'application/json'],
};

/**
 * Serves the page built in `dir` on 127.0.0.1 (the three files of {@link buildPage}, nothing else).
 *
 * @param dir the directory {@link buildPage} built into
 * @param port the TCP port; `0` picks a free one
 */
export async function servePage(dir: string, port = 0): Promise<PageServer> {
  const server = createServer((request, response) => {
    const entry = FILES[new URL(request.url ?? '/', 'http://page').pathname];
    if (request.method !== 'GET' || entry === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const [file, type] = entry;
    readFile(join(dir, file)).then(
      (body) => response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`;
  return {
    url: `${origin}/`,
    origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
  const page = await servePage(await buildPage(), Number(values.port));
  const devnet = await startDevnet({ providers: 10, allowOrigin: page.origin });
  const settings = new URLSearchParams({ api: devnet.url, key: devnet.appKey, registry: devnet.registryUrl });
  console.info(`devnet ${devnet.url} allows ${page.origin}\nopen ${page.url}#${settings}\nCtrl+C stops`);
  process.once('SIGINT', () => {
    void Promise.all([devnet.stop(), page.close()]).then(() => console.info('stopped'));
  });
}
