/**
 * Releasing many resources one by one (allocations, demands): progress on a terminal, 404/410
 * counted as already gone, per-id failures collected, Ctrl-C stops between two ids.
 */
import { isYagnaGoneError } from 'golem-rx';
import { isYagnaNotFoundError } from 'golem-rx';
import { CliCommandError } from './CliCommandError.js';
import { EXIT, describeCliError } from './errors.js';
import type { CommandRuntime } from './runtime.js';
import type { SessionKind } from './session.js';

/** What happened to each id. */
export interface BulkResult {
  /** Released by this run. */
  readonly done: string[];
  /** Already released or unknown to yagna (404/410). */
  readonly gone: string[];
  /** Not released, with the one-line reason. */
  readonly failed: { id: string; error: string }[];
  /** Ids not tried because of Ctrl-C. */
  readonly skipped: string[];
}

/** Words of the report. */
export interface BulkWords {
  /** `allocation` */
  readonly noun: string;
  /** `releasing` */
  readonly doing: string;
  /** `released` */
  readonly done: string;
  /** `release` */
  readonly verb: string;
}

/**
 * Calls `release` for each id in turn. Ctrl-C stops between two ids: the release in flight gets
 * no AbortSignal on purpose, so that its outcome is known (and the session file stays right);
 * the CLI client's per-attempt timeout bounds it, and a second Ctrl-C exits at once.
 * @param rt the runtime (progress, interrupt, error site)
 * @param ids what to release
 * @param words for the progress line
 * @param release releases one id
 */
export async function releaseEach(
  rt: CommandRuntime,
  ids: readonly string[],
  words: BulkWords,
  release: (id: string) => Promise<void>,
): Promise<BulkResult> {
  const result: BulkResult = { done: [], gone: [], failed: [], skipped: [] };
  const progress = rt.out.progress(`${words.doing} 0/${ids.length} ${words.noun}s…`);
  try {
    for (const [index, id] of ids.entries()) {
      if (rt.interrupt.aborted) {
        result.skipped.push(...ids.slice(index));
        break;
      }
      progress.update(`${words.doing} ${index + 1}/${ids.length} ${words.noun}s…`);
      try {
        await release(id);
        result.done.push(id);
      } catch (err) {
        if (isYagnaNotFoundError(err) || isYagnaGoneError(err)) result.gone.push(id);
        else result.failed.push({ id, error: describeCliError(err, rt.errorSite()).message });
      }
    }
  } finally {
    progress.done();
  }
  return result;
}

/**
 * Forgets the released and gone ids in this CLI's session file (a failure there is reported as
 * a warning: the release itself happened).
 */
export async function forgetReleased(
  rt: CommandRuntime,
  kind: SessionKind,
  result: BulkResult,
): Promise<boolean> {
  const ids = [...result.done, ...result.gone];
  if (ids.length === 0) return true;
  try {
    await (await rt.session()).remove(kind, ids);
    return true;
  } catch (err) {
    rt.out.warn(describeCliError(err, rt.errorSite()).message);
    return false;
  }
}

/**
 * Prints the result (a summary line, or JSON) and the failures (stderr).
 * @throws CliCommandError when some failed (exit 1) or Ctrl-C stopped the run (exit 130)
 */
export function reportBulk(rt: CommandRuntime, result: BulkResult, words: BulkWords): void {
  const { out } = rt;
  if (out.json) {
    out.printJson({
      [words.done]: result.done,
      alreadyGone: result.gone,
      failed: result.failed,
      skipped: result.skipped,
    });
  } else {
    const plural = (n: number): string => `${n} ${words.noun}${n === 1 ? '' : 's'}`;
    const gone = result.gone.length === 0 ? '' : ` (${result.gone.length} already gone)`;
    const tried = result.done.length + result.gone.length + result.failed.length + result.skipped.length;
    out.line(
      tried === 0
        ? `no ${words.noun}s to ${words.verb}`
        : `${words.done} ${plural(result.done.length)}${gone}`,
    );
  }
  for (const f of result.failed) out.warn(`${words.noun} ${f.id}: ${f.error}`);
  if (result.skipped.length > 0) {
    throw new CliCommandError(`interrupted: ${result.skipped.length} ${words.noun}(s) left as they were`, {
      ids: result.skipped,
      exitCode: EXIT.interrupted,
    });
  }
  if (result.failed.length > 0) {
    throw new CliCommandError(`${result.failed.length} ${words.noun}(s) could not be ${words.done}`, {
      ids: result.failed.map((f) => f.id),
    });
  }
}
