// Issue 15's targets, published by the bench modules and printed by bench/run.ts as one table at the end
// of `npm run bench`. A bench calls `reportTarget` once per figure it owns; the runner prints every
// reported row (measured in that same run) after the last bench.

/** One measured target of issue 15. */
export interface TargetResult {
  /** The target's id: issue 15's number first, e.g. '1 (n=16)', '2a', '3 1MB' (rows are sorted by it). */
  readonly id: string;
  /** What is measured, in a few words. */
  readonly name: string;
  /** The measured value: text with its unit ('412 ms'), or a number (then `unit` is appended). */
  readonly value: string | number;
  /** The goal: text ('≤ 1.5× the limit', '≥ 50,000 offers/s'), or a number (then `unit` is appended). */
  readonly goal: string | number;
  /** The unit of a numeric `value` and `goal`, e.g. 'offers/s'. */
  readonly unit?: string;
  /** The ratio the goal is stated in (measured / reference), or undefined when the goal is absolute. */
  readonly ratio?: number;
  /** Whether the goal is met in this run. */
  readonly met: boolean;
  /** An optional remark (noise, reference used). */
  readonly note?: string;
}

const results: TargetResult[] = [];

/** Records one target's result for the table that `npm run bench` prints at its end. */
export function reportTarget(result: TargetResult): void {
  const at = results.findIndex((r) => r.id === result.id);
  if (at >= 0) results[at] = result;
  else results.push(result);
}

/** Every target reported so far, in report order. */
export function reportedTargets(): readonly TargetResult[] {
  return [...results];
}
