import { describe, expect, it } from 'vitest';
import { KeyWindow } from '../../src/sources/keyWindow.js';

describe('KeyWindow', () => {
  it('forgets the oldest key first, however many come and go', () => {
    const window = new KeyWindow(3);
    expect(['a', 'b', 'c'].map((k) => window.add(k))).toEqual([true, true, true]);
    expect(window.add('b')).toBe(false); // a repeat: not added again, not made younger
    expect(window.add('d')).toBe(true); // forgets a
    expect(['a', 'b', 'c', 'd'].map((k) => window.has(k))).toEqual([false, true, true, true]);
    expect(window.add('e')).toBe(true); // forgets b
    expect(window.has('b')).toBe(false);
    expect(window.size).toBe(3);
  });

  it('keeps exactly the last `capacity` keys of a long stream (beyond its first ring allocation)', () => {
    const window = new KeyWindow(2500);
    for (let i = 0; i < 10_000; i++) expect(window.add(`k${i}`)).toBe(true);
    expect(window.size).toBe(2500);
    expect(window.has('k7499')).toBe(false);
    expect(window.has('k7500')).toBe(true);
    expect(window.add('k9999')).toBe(false);
  });
});
