/**
 * `golem-rx`: the process wrapper of the command line. It builds the context from the process
 * (streams, environment, terminals), turns the first Ctrl-C / SIGTERM into the interrupt signal
 * (a second one while the command cleans up only says so; a third exits at once with 130, listing
 * what was left open and recording it for `--mine`: see shutdown.ts), treats a closed stdout
 * (`golem-rx find-node … | head`) as an interrupt too, runs the program and sets the exit code.
 * Everything else lives in `program.ts`.
 */
import { Leftovers } from './leftovers.js';
import { runCli } from './program.js';
import { handleInterrupts } from './shutdown.js';

const interrupt = new AbortController();
const leftovers = new Leftovers();
const signals = handleInterrupts({ interrupt, leftovers });
// The reader went away (EPIPE): stop like on Ctrl-C, so that streams clean up what they started.
const onStdoutError = (err: NodeJS.ErrnoException): void => {
  if (err.code !== 'EPIPE') process.stderr.write(`golem-rx: cannot write to stdout: ${err.message}\n`);
  interrupt.abort();
};
process.stdout.on('error', onStdoutError);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: {
    stdin: process.stdin.isTTY === true,
    stdout: process.stdout.isTTY === true,
    stderr: process.stderr.isTTY === true,
  },
  interrupt: interrupt.signal,
  leftovers,
});
signals.remove();
leftovers.stop();
process.exitCode = code;
