/**
 * The golem-rx demo: `npm run demo` (`npm run demo -- --json` for a JSON summary, `-- --yagna` for a
 * real yagna at YAGNA_API_URL with YAGNA_APPKEY). A thin wrapper: the demo itself is `runDemo` in
 * packages/cli/src/demo.ts (also `golem-rx demo`), written only against the public API (`golem-rx` and
 * `@golem-rx/devnet`). See docs/demo.md.
 *
 * Exit codes: 0 done cleanly; 1 it failed, or finished with a command failed, an invoice not
 * accepted or something left open (named on stderr); 2 bad flags; 130 interrupted.
 */
import { DEMO_USAGE, Leftovers, handleInterrupts, isDemoError, runDemo } from '@golem-rx/cli';

// The first Ctrl-C stops the demo, which still closes everything; a second one during that
// cleanup is ignored (with a message); a third exits at once, listing what was left open.
const interrupt = new AbortController();
const leftovers = new Leftovers();
const signals = handleInterrupts({ interrupt, leftovers });

try {
  await runDemo(process.argv.slice(2), { interrupt: interrupt.signal, leftovers });
} catch (error) {
  const usage = isDemoError(error) && error.reason === 'usage';
  if (usage) console.error(`${error.message}\n\n${DEMO_USAGE}`);
  else console.error(isDemoError(error) ? `golem-rx demo: ${error.message}` : error);
  process.exitCode = usage ? 2 : isDemoError(error) && error.reason === 'interrupted' ? 130 : 1;
} finally {
  signals.remove();
  leftovers.stop();
}
