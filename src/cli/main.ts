// The golem-rx command line.
import { runDevnetCommand } from './devnet.js';

const [command, ...rest] = process.argv.slice(2);

if (command === 'devnet') {
  runDevnetCommand(rest).catch((err: unknown) => {
    process.stderr.write(`golem-rx devnet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
} else {
  console.log('golem-rx');
}
