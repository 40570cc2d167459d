/**
 * The demo end to end, in-process (`runDemo(['--json'])` is what `npm run demo -- --json` runs):
 * an embedded devnet, 3 agreements, a command on each, debit notes and invoices accepted,
 * everything closed, and one JSON summary line on stdout.
 */
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { DEMO_USAGE, isDemoError, runDemo } from '@golem-rx/cli';

/** A text sink that keeps what is written. */
function sink(): { write(text: string): boolean; text(): string } {
  const chunks: string[] = [];
  return {
    write: (text) => chunks.push(text) > 0,
    text: () => chunks.join(''),
  };
}

describe('the demo', () => {
  it('rents 3 machines on devnet, pays everything, leaks nothing and ends with one JSON line', async () => {
    const stdout = sink();
    const stderr = sink();
    const summary = await runDemo(['--json'], { stdout, stderr, env: {}, isTTY: { stderr: false } });

    const last = stdout.text().trimEnd().split('\n').at(-1)!;
    const json = JSON.parse(last) as Record<string, unknown>;
    expect(json).toMatchObject({
      agreements: 3,
      commandsOk: 3,
      invoicesAccepted: 3,
      leaked: { agreements: 0, activities: 0, allocations: 0, demands: 0 },
    });
    expect(json.spent).toMatch(/^\d+(\.\d+)?$/);
    expect(new Decimal(json.spent as string).gt(0)).toBe(true);
    expect(json).toEqual(summary);
    // debit notes flowed while the commands ran (1 s interval, 2 s commands)
    expect(json.debitNotesAccepted).toEqual(expect.any(Number));
    expect(json.debitNotesAccepted as number).toBeGreaterThan(0);

    // progress on a non-terminal: plain lines, no escape sequences
    const progress = stderr.text();
    expect(progress.match(/✓ agreement with /g)).toHaveLength(3);
    expect(progress.match(/: hello from golem-rx/g)).toHaveLength(3);
    expect(progress.match(/✓ invoice for .* accepted/g)?.length).toBeGreaterThanOrEqual(3);
    expect(progress).not.toContain('\u001b[');
  });

  it('prints a readable summary without --json', async () => {
    const stdout = sink();
    await runDemo(['--providers', '8', '--seed', '3'], {
      stdout,
      stderr: sink(),
      env: {},
      isTTY: { stderr: false },
    });
    expect(stdout.text()).toMatch(/agreements\s+3\n/);
    expect(stdout.text()).toMatch(/leaked\s+nothing/);
  });

  it('--help prints the usage and runs nothing', async () => {
    const stdout = sink();
    await expect(runDemo(['--help'], { stdout })).resolves.toBeUndefined();
    expect(stdout.text()).toBe(DEMO_USAGE);
  });

  it('rejects bad flags, and --yagna without YAGNA_APPKEY, as usage errors', async () => {
    for (const argv of [['--nope'], ['--providers', '2'], ['--yagna']]) {
      const error: unknown = await runDemo(argv, { stdout: sink(), stderr: sink(), env: {} }).catch(
        (e: unknown) => e,
      );
      expect(isDemoError(error) && error.reason, argv.join(' ')).toBe('usage');
    }
  });
});
