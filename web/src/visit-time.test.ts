import { describe, expect, it } from 'vitest';
import { wallClock } from './visit-time.js';

describe('a visit time on the wall clock of a time zone', () => {
  it("shows the tenant's local time, with summer and winter time told apart", () => {
    expect(wallClock('2025-03-15T16:15:00.000Z', 'Europe/London')).toBe('2025-03-15 16:15 (GMT)');
    expect(wallClock('2025-07-15T16:15:00.000Z', 'Europe/London')).toBe('2025-07-15 17:15 (GMT+1)');
    expect(wallClock('2025-03-15T16:15:00.000Z', 'America/Los_Angeles')).toBe('2025-03-15 09:15 (GMT-7)');
    expect(wallClock('2025-03-15T16:15:00.000Z', 'Asia/Kolkata')).toBe('2025-03-15 21:45 (GMT+5:30)');
  });

  it('shows UTC, and a midnight as 00:00, not 24:00', () => {
    expect(wallClock('2026-01-01T00:00:00.000Z', 'UTC')).toBe('2026-01-01 00:00 (GMT)');
    expect(wallClock('2026-01-01T00:00:00.000Z', 'UTC', false)).toBe('2026-01-01 00:00');
  });

  it('keeps text that is not an instant as it is, rather than showing "Invalid Date"', () => {
    expect(wallClock('not a time', 'UTC')).toBe('not a time');
  });
});
