import { coreBuiltins } from './builtinsCore.js';
import { fsBuiltins } from './builtinsFs.js';
import { testBuiltins } from './builtinsTest.js';
import { textBuiltins } from './builtinsText.js';
import type { CommandHandler } from './types.js';

/**
 * Every builtin command of the simulated shell, by name. Shell-level builtins (`cd`, `export`,
 * `unset`, `exit`, `eval`, `.`/`source`, `exec`, `sh`/`bash`) live in the interpreter.
 */
export const builtins: Readonly<Record<string, CommandHandler>> = Object.freeze({
  ...coreBuiltins,
  ...fsBuiltins,
  ...textBuiltins,
  ...testBuiltins,
});
