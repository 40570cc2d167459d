/**
 * The golem-rx demo: `npm run demo` (`npm run demo -- --json` for a JSON summary, `-- --yagna` for a
 * real yagna at YAGNA_API_URL with YAGNA_APPKEY). A thin wrapper: the demo itself is `runDemo` in
 * src/cli/demo.ts (also `golem-rx demo`), written only against the public API (`golem-rx` and
 * `golem-rx/devnet`). See docs/demo.md.
 */
import { DEMO_USAGE, isDemoError, runDemo } from '../src/cli/demo.js';

// the first Ctrl-C stops the demo cleanly (it still closes everything); a second one kills it
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.once('SIGTERM', () => interrupt.abort());

try {
  await runDemo(process.argv.slice(2), { interrupt: interrupt.signal });
} catch (error) {
  const usage = isDemoError(error) && error.reason === 'usage';
  console.error(usage ? `${error.message}\n\n${DEMO_USAGE}` : error);
  process.exitCode = usage ? 2 : 1;
}
