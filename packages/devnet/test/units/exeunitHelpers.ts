import { VirtualTimeScheduler } from 'rxjs';
import { ExeUnit, type ExeUnitOptions } from '../../src/exeunit/ExeUnit.js';
import type { ExeScriptCommand, RunCommandBody } from '../../src/exeunit/exescript.js';
import { settle } from './helpers.js';

/** Capture of stdout and stderr as strings at the end of a command. */
export const AT_END = {
  stdout: { atEnd: { format: 'string' } },
  stderr: { atEnd: { format: 'string' } },
} as const;
export const deploy: ExeScriptCommand = { deploy: {} };
export const start: ExeScriptCommand = { start: {} };
/** A `run` of `/bin/sh -c script`, output captured at the end. */
export const shell = (script: string, extra: Partial<RunCommandBody> = {}): ExeScriptCommand => ({
  run: { entry_point: '/bin/sh', args: ['-c', script], capture: AT_END, ...extra },
});

/** An exe-unit on a fresh VirtualTimeScheduler, with predictable batch ids. */
export function virtualUnit(options: ExeUnitOptions = {}): {
  unit: ExeUnit;
  scheduler: VirtualTimeScheduler;
} {
  const scheduler = new VirtualTimeScheduler();
  let n = 0;
  const unit = new ExeUnit({ scheduler, newBatchId: () => `batch${n++}`.padEnd(32, '0'), ...options });
  return { unit, scheduler };
}

/** Executes `commands` and waits (in virtual time) until the batch finished. */
export async function runToEnd(unit: ExeUnit, scheduler: VirtualTimeScheduler, commands: ExeScriptCommand[]) {
  const id = unit.exec(commands);
  const { results } = await settle(scheduler, unit.waitForResults(id, undefined, Infinity));
  return { id, results };
}
