import { deepEqual } from './deepEqual.js';
import { formatValue } from './formatValue.js';

/** What `TestScheduler` calls to compare the actual and the expected frames (or subscriptions). */
export type AssertDeepEqual = (actual: unknown, expected: unknown) => void;

function lines(value: unknown): string[] {
  if (!Array.isArray(value)) return formatValue(value, { depth: 6, breakLength: 120 }).split('\n');
  return value.map((item: unknown) => formatValue(item, { depth: 6, breakLength: Infinity }));
}

/**
 * A test-runner-agnostic `assertDeepEqual` for `new TestScheduler(…)`: compares with
 * {@link deepEqual} (the semantics of Node's `isDeepStrictEqual`, without Node: it runs in a
 * browser too) and throws an `Error` whose message lists the expected and the actual frames
 * line by line, marking the lines that differ (`-` expected, `+` actual).
 *
 * @example
 * ```ts
 * const testScheduler = new TestScheduler(throwingAssertDeepEqual);
 * ```
 */
export function throwingAssertDeepEqual(actual: unknown, expected: unknown): void {
  if (deepEqual(actual, expected)) return;
  const want = lines(expected);
  const got = lines(actual);
  const diff: string[] = [];
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    const g = got[i];
    if (w === g) diff.push(`  ${w}`);
    else {
      if (w !== undefined) diff.push(`- ${w}`);
      if (g !== undefined) diff.push(`+ ${g}`);
    }
  }
  throw new Error(`Expected frames differ from the actual ones (- expected, + actual):\n${diff.join('\n')}`);
}
