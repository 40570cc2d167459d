/**
 * Ctrl-C in the middle of the demo (the interrupt signal `examples/demo.ts` aborts on SIGINT):
 * the demo stops with `DemoError('interrupted')`, and everything it rented is closed all the same.
 */
import { describe, expect, it } from 'vitest';
import { type DemoError, isDemoError, runDemo } from '@golem-rx/cli';

describe('the demo, interrupted mid-run', () => {
  it('stops at once and leaves no agreement, activity, allocation or demand open', async () => {
    const interrupt = new AbortController();
    let progress = '';
    const stderr = {
      write(text: string): boolean {
        progress += text;
        // abort as soon as the first agreement is signed: work is in flight everywhere
        if (text.startsWith('✓ agreement with')) interrupt.abort();
        return true;
      },
    };
    const stdout = { write: (): boolean => true };
    const run = runDemo(['--json'], {
      stdout,
      stderr,
      env: {},
      isTTY: { stderr: false },
      interrupt: interrupt.signal,
    });

    const error = (await run.then(
      () => undefined,
      (err: unknown) => err,
    )) as DemoError | undefined;
    expect(interrupt.signal.aborted, `the demo never signed an agreement:\n${progress}`).toBe(true);
    expect(isDemoError(error)).toBe(true);
    expect(error!.reason).toBe('interrupted');
    expect(error!.leaked).toEqual({ agreements: 0, activities: 0, allocations: 0, demands: 0 });
  });
});
