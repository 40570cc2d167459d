// @golem-rx/cli: the command line as a library (the `golem-rx` binary is `main.ts`), and the demo.

// --- the command line
export { createProgram, runCli } from './program.js';
export type { CliContext, TextSink, TtyFlags } from './context.js';

// --- the demo (`golem-rx demo`, `npm run demo`)
export {
  DEMO_AGREEMENTS,
  DEMO_USAGE,
  DemoError,
  isDemoError,
  parseDemoArgs,
  runDemo,
  type DemoIo,
  type DemoLeaks,
  type DemoLeftOpen,
  type DemoSummary,
} from './demo.js';

// --- interrupts and what a run leaves open
export { Leftovers, type LeftOpen, type OpenKind } from './leftovers.js';
export { handleInterrupts, type HandleInterruptsOptions, type InterruptProcess } from './shutdown.js';
