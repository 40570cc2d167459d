import { describe, expect, it } from 'vitest';
import { PollState } from '../../src/sources/longPollInternals.js';
import { CursorKeyWindow } from '../../src/sources/index.js';

interface Ev {
  readonly id: string;
  readonly at: number;
}

describe('CursorKeyWindow', () => {
  it('remembers each key until its cursor falls to or below the horizon', () => {
    const window = new CursorKeyWindow<number>((a, b) => a - b);
    expect(window.add('a', 10)).toBe(true);
    expect(window.add('b', 20)).toBe(true);
    expect(window.add('a', 30)).toBe(false); // a duplicate, whatever its cursor
    window.forgetUpTo(9);
    expect(window.size).toBe(2);
    window.forgetUpTo(10);
    expect([window.has('a'), window.has('b'), window.size]).toEqual([false, true, 1]);
    expect(window.add('a', 10)).toBe(true);
  });
});

describe('PollState with look-back', () => {
  const state = () =>
    new PollState<Ev, number>({
      cursorOf: (e) => e.at,
      compareCursor: (a, b) => a - b,
      keyOf: (e) => e.id,
      lookback: (newest) => newest - 10,
    });

  it('remembers only the keys inside the window: memory follows the window, not the log', () => {
    const s = state();
    let requested: number | undefined;
    for (let at = 0; at < 10_000; at += 1) {
      s.absorb([{ id: String(at), at }], requested);
      requested = s.requestCursor;
    }
    expect(s.pending).toHaveLength(10_000);
    expect(s.rememberedKeys).toBe(10); // the window (9989, 9999]
    expect(s.cursor).toBe(9999);
  });

  it('never forgets a key that a look-back can still return', () => {
    const s = state();
    s.absorb(
      [
        { id: 'a', at: 100 },
        { id: 'b', at: 105 },
      ],
      undefined,
    );
    expect(s.requestCursor).toBe(95); // look back after 95
    s.absorb([{ id: 'c', at: 111 }], 95); // c moves the window to (101, 111]: a is out, b in
    expect(s.rememberedKeys).toBe(2);
    s.absorb(
      [
        { id: 'b', at: 105 },
        { id: 'c', at: 111 },
      ],
      105,
    );
    expect(s.pending.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });
});
