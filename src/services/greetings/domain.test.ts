import { describe, expect, it } from 'vitest';
import {
  dateOfBirthProblem,
  daysUntilBirthday,
  greetingFor,
  isValidUsername,
  parseCalendarDate,
  utcDate,
} from './domain.js';

const day = (text: string) => {
  const date = parseCalendarDate(text);
  if (!date) throw new Error(`bad test date ${text}`);
  return date;
};
const at = (iso: string) => new Date(iso);

describe('usernames', () => {
  it.each([
    'alice',
    'Bob',
    'José',
    'Zoë',
    'Иван',
    'a'.repeat(64),
    // Letters with the marks written on them: Devanagari and Thai vowel signs, Arabic harakat.
    'राम',
    'สมชาย',
    'สุดา',
    'مُحَمَّد',
    // A letter and an accent NFC has no single letter for.
    'Ka\u0331ren',
  ])('accepts %s', (name) => {
    expect(isValidUsername(name)).toBe(true);
  });
  it.each([
    '',
    'al1ce',
    'alice_b',
    'alice b',
    'alice!',
    'a'.repeat(65),
    '../etc',
    // A mark with no letter before it, and one letter under more marks than the name may hold.
    '\u0301alice',
    `a${'\u0301'.repeat(128)}`,
    'alice\u200d',
  ])('refuses %j', (name) => {
    expect(isValidUsername(name)).toBe(false);
  });
});

describe('parseCalendarDate', () => {
  it('reads a real date', () => {
    expect(parseCalendarDate('1990-07-14')).toEqual({ year: 1990, month: 7, day: 14 });
  });
  it.each(['2021-02-30', '2021-02-29', '2021-13-01', '2021-00-10', '2021-04-31', '21-01-01', '2021-1-1', ''])(
    'refuses %j',
    (text) => {
      expect(parseCalendarDate(text)).toBeUndefined();
    },
  );
  it('accepts 29 February in a leap year only', () => {
    expect(parseCalendarDate('2020-02-29')).toEqual({ year: 2020, month: 2, day: 29 });
    expect(parseCalendarDate('1900-02-29')).toBeUndefined();
    expect(parseCalendarDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 });
  });
});

describe('dateOfBirthProblem', () => {
  const now = at('2026-11-21T10:00:00Z');
  it('accepts yesterday', () => {
    expect(dateOfBirthProblem('2026-11-20', now)).toBeUndefined();
  });
  it('refuses today and the future', () => {
    expect(dateOfBirthProblem('2026-11-21', now)).toBe('must be a date before today');
    expect(dateOfBirthProblem('2027-01-01', now)).toBe('must be a date before today');
  });
  it('refuses a date that does not exist', () => {
    expect(dateOfBirthProblem('2021-02-30', now)).toMatch(/real calendar date/);
  });
  it('uses the UTC date, not the local one', () => {
    // 23:30 UTC on the 20th: "today" is still the 20th, so the 20th is not yet in the past.
    expect(dateOfBirthProblem('2026-11-20', at('2026-11-20T23:30:00-00:00'))).toBe(
      'must be a date before today',
    );
    expect(utcDate(at('2026-11-20T23:30:00-05:00'))).toEqual({ year: 2026, month: 11, day: 21 });
  });
});

describe('daysUntilBirthday', () => {
  it('is 0 on the birthday', () => {
    expect(daysUntilBirthday(day('1990-07-14'), day('2026-07-14'))).toBe(0);
  });
  it('is 1 the day before', () => {
    expect(daysUntilBirthday(day('1990-07-14'), day('2026-07-13'))).toBe(1);
  });
  it('wraps to next year the day after', () => {
    expect(daysUntilBirthday(day('1990-07-14'), day('2026-07-15'))).toBe(364);
  });
  it('crosses the year end', () => {
    expect(daysUntilBirthday(day('1990-01-01'), day('2026-12-31'))).toBe(1);
    expect(daysUntilBirthday(day('1990-12-31'), day('2027-01-01'))).toBe(364);
  });
  it('counts a leap day inside the span', () => {
    expect(daysUntilBirthday(day('1990-03-01'), day('2028-02-28'))).toBe(2);
    expect(daysUntilBirthday(day('1990-03-01'), day('2027-02-28'))).toBe(1);
  });
  it('celebrates 29 February on 28 February in years without one', () => {
    const leapling = day('2000-02-29');
    expect(daysUntilBirthday(leapling, day('2027-02-28'))).toBe(0);
    expect(daysUntilBirthday(leapling, day('2027-02-27'))).toBe(1);
    expect(daysUntilBirthday(leapling, day('2028-02-29'))).toBe(0);
    expect(daysUntilBirthday(leapling, day('2028-02-28'))).toBe(1);
    // The day after a non-leap 28 February, the next birthday is the real 29 February of 2028.
    expect(daysUntilBirthday(leapling, day('2027-03-01'))).toBe(365);
  });
});

describe('greetingFor', () => {
  it('wishes happy birthday on the day', () => {
    expect(greetingFor('alice', day('1990-11-21'), at('2026-11-21T23:59:59Z'))).toBe(
      'Hello, alice! Happy birthday!',
    );
  });
  it('counts down otherwise, in the brief exact words', () => {
    expect(greetingFor('alice', day('1990-11-26'), at('2026-11-21T00:00:00Z'))).toBe(
      'Hello, alice! Your birthday is in 5 day(s)',
    );
    expect(greetingFor('bob', day('1990-11-22'), at('2026-11-21T12:00:00Z'))).toBe(
      'Hello, bob! Your birthday is in 1 day(s)',
    );
  });
});
