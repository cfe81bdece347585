/**
 * Birthday rules, pure: no I/O, no clock of its own. "Today" is always the UTC date of the `now`
 * the caller passes.
 *
 * 29 February: in a year without one, the birthday is celebrated on 28 February (the last day of the
 * birth month), so such a user still gets a greeting every year and never waits more than 366 days.
 */

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

/**
 * Letters only, in any script: 1 to 64 letters, each with the combining marks written on it (the
 * vowel signs of Devanagari or Thai, Arabic's harakat, an accent NFC has no single letter for), at
 * most 128 characters in all. A mark on its own, with no letter before it, is refused.
 */
export const usernamePattern = '^(?=.{1,128}$)(?:\\p{L}\\p{M}*){1,64}$';
const username = new RegExp(usernamePattern, 'u');

export function isValidUsername(name: string): boolean {
  return username.test(name);
}

/** One spelling per name, so composed and decomposed forms of the same letters are one user. */
export function normaliseUsername(name: string): string {
  return name.normalize('NFC');
}

const millisPerDay = 86_400_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function epochDay({ year, month, day }: CalendarDate): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.floor(date.getTime() / millisPerDay);
}

/** `YYYY-MM-DD` naming a day that exists, else undefined (`2021-02-30` does not). */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const exists =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return exists ? { year, month, day } : undefined;
}

export function utcDate(now: Date): CalendarDate {
  return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
}

/** Why a date of birth is refused, or undefined when it is acceptable. */
export function dateOfBirthProblem(text: string, now: Date): string | undefined {
  const date = parseCalendarDate(text);
  if (!date) return 'must be a real calendar date in the form YYYY-MM-DD';
  if (epochDay(date) >= epochDay(utcDate(now))) return 'must be a date before today';
  return undefined;
}

function birthdayIn(year: number, birth: CalendarDate): CalendarDate {
  const movedLeapDay = birth.month === 2 && birth.day === 29 && !isLeapYear(year);
  return { year, month: birth.month, day: movedLeapDay ? 28 : birth.day };
}

/** Whole days from `today` to the next birthday: 0 on the birthday itself. */
export function daysUntilBirthday(birth: CalendarDate, today: CalendarDate): number {
  const todayDay = epochDay(today);
  const thisYear = epochDay(birthdayIn(today.year, birth));
  const next = thisYear >= todayDay ? thisYear : epochDay(birthdayIn(today.year + 1, birth));
  return next - todayDay;
}

/** The brief's exact wording, `day(s)` included. */
export function greetingFor(name: string, birth: CalendarDate, now: Date): string {
  const days = daysUntilBirthday(birth, utcDate(now));
  return days === 0
    ? `Hello, ${name}! Happy birthday!`
    : `Hello, ${name}! Your birthday is in ${days} day(s)`;
}
