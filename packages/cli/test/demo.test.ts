import { describe, expect, it } from 'vitest';
import { lines, run } from './support.js';

describe('golem-rx demo', () => {
  it('runs the main job on the embedded devnet; --json ends with the summary line', async () => {
    const result = await run(['demo', '--json', '--providers', '10', '--seed', '3'], { env: {} });
    expect(result.code).toBe(0);
    const summary = JSON.parse(lines(result.stdout).at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({
      agreements: 3,
      commandsOk: 3,
      invoicesAccepted: 3,
      leaked: { agreements: 0, activities: 0, allocations: 0, demands: 0 },
    });
    expect(summary.spent).toMatch(/^\d+\.\d+$/);
  });

  it('rejects a flag it does not know with exit code 2 and one line', async () => {
    const result = await run(['demo', '--bogus'], { env: {} });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^golem-rx: .*--bogus/);
  });
});
