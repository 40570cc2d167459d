import { inspect, isDeepStrictEqual } from 'node:util';

/** What `TestScheduler` calls to compare the actual and the expected frames (or subscriptions). */
export type AssertDeepEqual = (actual: unknown, expected: unknown) => void;

function lines(value: unknown): string[] {
  if (!Array.isArray(value)) return inspect(value, { depth: 6, breakLength: 120 }).split('\n');
  return value.map((item: unknown) => inspect(item, { depth: 6, breakLength: Infinity, compact: true }));
}

/**
 * A test-runner-agnostic `assertDeepEqual` for `new TestScheduler(…)`: compares with Node's
 * `isDeepStrictEqual` and throws an `Error` whose message lists the expected and the actual frames
 * line by line, marking the lines that differ (`-` expected, `+` actual).
 *
 * @example
 * ```ts
 * const testScheduler = new TestScheduler(throwingAssertDeepEqual);
 * ```
 */
export function throwingAssertDeepEqual(actual: unknown, expected: unknown): void {
  if (isDeepStrictEqual(actual, expected)) return;
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
