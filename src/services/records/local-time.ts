/**
 * Turning a `date_time` cell into a UTC instant, pure.
 *
 * - With an offset (`Z`, `+01:00`, `-0500`) the instant is exact.
 * - Without one it is wall-clock time in the tenant's IANA zone. DST is resolved the way RFC 5545
 *   and Temporal's `compatible` mode do: a time that occurs twice (autumn overlap) is the first
 *   occurrence; a time that never occurs (spring gap) is moved forward by the gap's length.
 * Accepted shapes: `YYYY-MM-DD[T ]HH:mm[:ss[.fff]][offset]` and `YYYY/MM/DD HH:mm[:ss]`. Anything
 * else, a date alone included, is unparseable: guessing between day-first and month-first
 * formats would store wrong times silently.
 */
import { zoneOffsetMinutes } from '../../platform/time-zone.js';

const pattern =
  /^(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

export type TimeResolution = 'exact' | 'local' | 'dst-gap-shifted' | 'dst-overlap-first';

export interface ResolvedTime {
  utc: string;
  resolution: TimeResolution;
}

/** Kiribati's +14:00 and Baker Island's -12:00 bound the offsets in use; ±14:00 both ways. */
const maxOffsetMinutes = 14 * 60;

/** The offset in minutes, or undefined when no clock shows it (`+99:99`, `+2500`). */
function offsetMinutes(text: string): number | undefined {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4))];
  const total = hours * 60 + minutes;
  return minutes < 60 && total <= maxOffsetMinutes ? sign * total : undefined;
}

/**
 * An instant outside years 0000–9999 in UTC (`9999-12-31T23:59-12:00`) has no four-digit ISO form:
 * stored as `+010000-…` it would sort before every other visit, and a range would take it wrongly.
 */
function withinFourDigitYears(resolved: ResolvedTime): ResolvedTime | undefined {
  return /^\d{4}-/.test(resolved.utc) ? resolved : undefined;
}

/** The UTC instant of `text`, or undefined when it is not a real date and time. */
export function resolveDateTime(text: string, zone: string): ResolvedTime | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = '0', fraction = '0'] = match.slice(1, 8) as [
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  // Not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
  const check = new Date(0);
  check.setUTCFullYear(+year, +month - 1, +day);
  check.setUTCHours(+hour, +minute, +second, Math.floor(Number(`0.${fraction}`) * 1000));
  const wall = check.getTime();
  const real =
    check.getUTCFullYear() === +year &&
    check.getUTCMonth() === +month - 1 &&
    check.getUTCDate() === +day &&
    +hour < 24 &&
    +minute < 60 &&
    +second < 60;
  if (!real) return undefined;
  if (!match[8])
    return withinFourDigitYears(resolveWallTime(wall, (instant) => zoneOffsetMinutes(zone, instant)));
  const offset = offsetMinutes(match[8]);
  if (offset === undefined) return undefined;
  return withinFourDigitYears({ utc: new Date(wall - offset * 60_000).toISOString(), resolution: 'exact' });
}

/** `wall` is the local time read as if it were UTC; find the instants that show it in the zone. */
function resolveWallTime(wall: number, offsetAt: (instant: number) => number): ResolvedTime {
  const day = 86_400_000;
  const offsets = [...new Set([offsetAt(wall - day), offsetAt(wall + day)])];
  const candidates = offsets
    .map((minutes) => wall - minutes * 60_000)
    .filter((instant) => offsetAt(instant) * 60_000 + instant === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) {
    return {
      utc: new Date(first).toISOString(),
      resolution: candidates.length > 1 ? 'dst-overlap-first' : 'local',
    };
  }
  // In the gap: read the time with the offset in force before the jump, which lands after it.
  const before = offsetAt(wall - day);
  return { utc: new Date(wall - before * 60_000).toISOString(), resolution: 'dst-gap-shifted' };
}

/** A date alone, as queries take it. */
export const dateOnly = /^\d{4}[-/]\d{2}[-/]\d{2}$/;

/** The first and last instants an ISO string sorts right for: others are written `-000001-…`, `+010000-…`. */
const firstIsoInstant = '0000-01-01T00:00:00.000Z';
const lastIsoInstant = '9999-12-31T23:59:59.999Z';

/**
 * The first and last millisecond of a local calendar day in `zone`, as inclusive bounds: the next
 * day's midnight stays out. Undefined when `text` is not a real `YYYY-MM-DD` (or `YYYY/MM/DD`).
 * 9999-12-31 has no next day to read, and ends at the last instant an ISO string holds, so
 * `to=9999-12-31` works as "no end"; 0000-01-01 starts at the first wherever it is.
 */
export function dayBounds(text: string, zone: string): { from: string; to: string } | undefined {
  const date = text.replaceAll('/', '-');
  // A real day whose midnight in `zone` falls before year 0 in UTC (0000-01-01 east of Greenwich).
  const start =
    resolveDateTime(`${date} 00:00`, zone)?.utc ??
    (resolveDateTime(`${date} 00:00`, 'UTC') ? firstIsoInstant : undefined);
  if (!start) return undefined;
  const next = resolveDateTime(`${nextDay(date)} 00:00`, zone);
  const end = next ? new Date(Date.parse(next.utc) - 1).toISOString() : lastIsoInstant;
  return { from: start, to: end };
}

/** The calendar day after a real `YYYY-MM-DD` (after 9999-12-31, one the parser refuses). */
function nextDay(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}
