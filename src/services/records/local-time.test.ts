import { describe, expect, it } from 'vitest';
import { dayBounds, resolveDateTime } from './local-time.js';

describe('resolveDateTime', () => {
  it('takes an offset as exact', () => {
    expect(resolveDateTime('2026-07-01T09:15:00+02:00', 'Europe/London')).toEqual({
      utc: '2026-07-01T07:15:00.000Z',
      resolution: 'exact',
    });
    expect(resolveDateTime('2026-07-01 09:15Z', 'America/New_York')?.utc).toBe('2026-07-01T09:15:00.000Z');
    expect(resolveDateTime('2026-07-01T09:15:00-0500', 'Europe/London')?.utc).toBe(
      '2026-07-01T14:15:00.000Z',
    );
  });

  it('reads local time in the tenant zone, summer and winter', () => {
    expect(resolveDateTime('2026-07-01 09:15', 'Europe/London')).toEqual({
      utc: '2026-07-01T08:15:00.000Z',
      resolution: 'local',
    });
    expect(resolveDateTime('2026-01-15 09:15:30', 'Europe/London')?.utc).toBe('2026-01-15T09:15:30.000Z');
    expect(resolveDateTime('2026/01/15 09:15', 'America/New_York')?.utc).toBe('2026-01-15T14:15:00.000Z');
  });

  it('moves a time in the spring gap forward by the gap', () => {
    // London skips 01:00–02:00 on 29 March 2026: 01:30 does not exist; it is read as 02:30 BST.
    expect(resolveDateTime('2026-03-29 01:30', 'Europe/London')).toEqual({
      utc: '2026-03-29T01:30:00.000Z',
      resolution: 'dst-gap-shifted',
    });
    // New York skips 02:00–03:00 on 8 March 2026.
    expect(resolveDateTime('2026-03-08 02:30', 'America/New_York')?.utc).toBe('2026-03-08T07:30:00.000Z');
  });

  it('takes the first of two occurrences in the autumn overlap', () => {
    // London repeats 01:00–02:00 on 25 October 2026: 01:30 BST (00:30Z) comes before 01:30 GMT.
    expect(resolveDateTime('2026-10-25 01:30', 'Europe/London')).toEqual({
      utc: '2026-10-25T00:30:00.000Z',
      resolution: 'dst-overlap-first',
    });
    expect(resolveDateTime('2026-11-01 01:30', 'America/New_York')?.utc).toBe('2026-11-01T05:30:00.000Z');
  });

  it.each([
    '2026-02-30 10:00',
    '2026-13-01 10:00',
    '2026-01-01 24:00',
    '2026-01-01',
    '01/02/2026 10:00',
    'yesterday',
    '',
    '2026-01-01 10:61',
    '0001-02-29 10:00',
    // No clock shows these offsets: 100 and 25 hours, or 99 minutes.
    '2026-01-01 10:00+99:99',
    '2026-01-01 10:00+2500',
    '2026-01-01 10:00-14:01',
    '2026-01-01 10:00+01:60',
    // Past year 9999 or before year 0 in UTC, which no four-digit ISO date holds.
    '9999-12-31T23:59-12:00',
    '0000-01-01T00:30+01:00',
  ])('refuses %j', (text) => {
    expect(resolveDateTime(text, 'Europe/London')).toBeUndefined();
  });

  it('takes the offsets clocks show, out to ±14:00, and the ends of year 0 and 9999', () => {
    expect(resolveDateTime('2026-01-01 10:00+14:00', 'UTC')?.utc).toBe('2025-12-31T20:00:00.000Z');
    expect(resolveDateTime('2026-01-01 10:00-1200', 'UTC')?.utc).toBe('2026-01-01T22:00:00.000Z');
    expect(resolveDateTime('2026-01-01 10:00+05:45', 'UTC')?.utc).toBe('2026-01-01T04:15:00.000Z');
    expect(resolveDateTime('9999-12-31T23:59+01:00', 'UTC')?.utc).toBe('9999-12-31T22:59:00.000Z');
    expect(resolveDateTime('0000-01-01T00:30-01:00', 'UTC')?.utc).toBe('0000-01-01T01:30:00.000Z');
  });

  it('reads years 0 to 99 as written, not as 1900 to 1999', () => {
    expect(resolveDateTime('0050-06-01 10:00Z', 'UTC')?.utc).toBe('0050-06-01T10:00:00.000Z');
    expect(resolveDateTime('0004-02-29 10:00Z', 'UTC')?.utc).toBe('0004-02-29T10:00:00.000Z');
  });
});

describe('dayBounds', () => {
  it("is a local day's first and last millisecond, so the next midnight stays out", () => {
    expect(dayBounds('2026-07-09', 'Europe/London')).toEqual({
      from: '2026-07-08T23:00:00.000Z',
      to: '2026-07-09T22:59:59.999Z',
    });
    // 23 hours on the day the clocks go forward.
    expect(dayBounds('2026/03/29', 'Europe/London')).toEqual({
      from: '2026-03-29T00:00:00.000Z',
      to: '2026-03-29T22:59:59.999Z',
    });
  });

  it('takes the placeholder dates for "no start" and "no end"', () => {
    expect(dayBounds('0001-01-01', 'UTC')?.from).toBe('0001-01-01T00:00:00.000Z');
    expect(dayBounds('9999-12-31', 'America/Los_Angeles')?.to).toBe('9999-12-31T23:59:59.999Z');
    // UTC+9 (Etc/GMT-9; Tokyo itself kept local mean time then, +09:18:59).
    expect(dayBounds('0000-01-01', 'Etc/GMT-9')).toEqual({
      from: '0000-01-01T00:00:00.000Z',
      to: '0000-01-01T14:59:59.999Z',
    });
  });

  it.each(['2026-02-30', '2026-13-01', 'July 9'])('refuses %j', (text) => {
    expect(dayBounds(text, 'UTC')).toBeUndefined();
  });
});
