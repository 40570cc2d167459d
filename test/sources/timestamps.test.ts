import { describe, expect, it } from 'vitest';
import {
  compareTimestamps,
  isMalformedTimestampError,
  MalformedTimestampError,
  normalizeTimestamp,
  shiftTimestamp,
  timestampNanos,
} from '../../src/sources/index.js';

describe('timestamps', () => {
  it('orders yagna timestamps with variable fractional digits by instant', () => {
    const ordered = [
      '2022-05-22T10:41:41.9Z',
      '2022-05-22T10:41:42Z',
      '2022-05-22T10:41:42.5Z',
      '2022-05-22T10:41:42.500000001Z',
      '2022-05-22T10:41:42.564784259Z',
      '2022-05-22T12:41:42.6+02:00',
    ];
    const shuffled = [ordered[3]!, ordered[5]!, ordered[0]!, ordered[4]!, ordered[2]!, ordered[1]!];
    expect([...shuffled].sort(compareTimestamps)).toEqual(ordered);
    // the naive string order gets these wrong
    expect(['2022-05-22T10:41:42Z', '2022-05-22T10:41:42.5Z'].sort()).not.toEqual(ordered.slice(1, 3));
  });

  it('treats different spellings of one instant as equal', () => {
    expect(compareTimestamps('2024-05-28T15:00:01.2Z', '2024-05-28T15:00:01.200000000Z')).toBe(0);
    expect(compareTimestamps('2024-05-28T15:00:01Z', '2024-05-28T16:00:01+01:00')).toBe(0);
    expect(normalizeTimestamp('2024-05-28T16:00:01.2+01:00')).toBe('2024-05-28T15:00:01.200000000Z');
  });

  it('reads a naive timestamp (SSE) as UTC and keeps nanoseconds exactly', () => {
    expect(timestampNanos('2022-06-23T10:42:38.626573153')).toBe(1655980958626573153n);
    expect(normalizeTimestamp('1969-12-31T23:59:59.5Z')).toBe('1969-12-31T23:59:59.500000000Z');
  });

  it('shifts a timestamp by milliseconds, exactly, across seconds, days and zones', () => {
    expect(shiftTimestamp('2024-05-28T15:00:05.25Z', -5000)).toBe('2024-05-28T15:00:00.250000000Z');
    expect(shiftTimestamp('2024-05-28T15:00:01.123456789Z', -5000)).toBe('2024-05-28T14:59:56.123456789Z');
    expect(shiftTimestamp('2024-05-29T00:00:01+02:00', -1500)).toBe('2024-05-28T21:59:59.500000000Z');
    expect(shiftTimestamp('1970-01-01T00:00:00Z', -0.000001)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(shiftTimestamp('2024-05-28T15:00:00Z', 250)).toBe('2024-05-28T15:00:00.250000000Z');
    expect(() => shiftTimestamp('2024-05-28T15:00:00Z', Infinity)).toThrow(RangeError);
    expect(() => shiftTimestamp('soon', -1)).toThrow(MalformedTimestampError);
  });

  it('rejects what is not RFC 3339 with MalformedTimestampError', () => {
    for (const bad of ['', 'yesterday', '2024-13-01T00:00:00Z', '2024-05-28', '2024-05-28T25:00:00Z']) {
      let caught: unknown;
      try {
        timestampNanos(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(MalformedTimestampError);
      expect(isMalformedTimestampError(caught)).toBe(true);
    }
  });
});
