/**
 * Whether `zone` is an IANA time zone name, asked of the ICU data directly (as Luxon's
 * `IANAZone.isValidZone` does, without bundling Luxon): Node 20's `Intl.supportedValuesOf('timeZone')`
 * lists only canonical names and so misses `UTC`, `Etc/UTC` and `Europe/Kyiv`, which people type.
 */
export function isTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).format();
    return true;
  } catch {
    return false;
  }
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone, kept: building one costs far more than using it. */
function wallClockIn(zone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      hour12: false,
      timeZone: zone,
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(zone, format);
  }
  return format;
}

/**
 * The offset from UTC, in minutes, of IANA zone `zone` at the instant `epochMs`, as ICU has it: the
 * zone's wall clock there, read as if it were UTC, minus the instant (to the second). This is
 * Luxon's `IANAZone.offset`, on the same ICU data, without bundling Luxon. Throws on an unknown zone.
 */
function offsetFromIcu(zone: string, epochMs: number): number {
  const part: Record<string, string> = {};
  for (const { type, value } of wallClockIn(zone).formatToParts(epochMs)) part[type] = value;
  const year = part.era === 'BC' ? 1 - Number(part.year) : Number(part.year);
  const wall = new Date(0);
  // `setUTCFullYear`, unlike `Date.UTC`, reads years 0 to 99 as themselves.
  wall.setUTCFullYear(year, Number(part.month) - 1, Number(part.day));
  // Some engines write midnight as 24 with `hour12: false`.
  wall.setUTCHours(Number(part.hour) % 24, Number(part.minute), Number(part.second), 0);
  const wholeSeconds = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return (wall.getTime() - wholeSeconds) / 60_000;
}

const dayMs = 86_400_000;
/** Per zone, UTC days (days since 1970) whose offset is the same all day, and that offset. */
const steadyDays = new Map<string, Map<number, number>>();
let steadyDayCount = 0;
/** Bounds the cache: a file of dates over many centuries must not grow it without end (a few MB). */
const maxSteadyDays = 50_000;

/** How many days the offset cache holds, all zones together. */
export function cachedZoneDays(): number {
  return steadyDayCount;
}

/**
 * The offset from UTC, in minutes, of IANA zone `zone` at the instant `epochMs`. Asking ICU costs
 * tens of microseconds, and records ingestion asks three or four times a row (a tenth of its CPU in
 * a profile), so each UTC day whose offset is the same at its first and its last second is remembered as
 * steady. That takes no two changes of the clocks within one day, which `resolveDateTime` already
 * takes of any two days. A day with a change is asked of ICU at each instant. Throws on an unknown
 * zone.
 */
export function zoneOffsetMinutes(zone: string, epochMs: number): number {
  const day = Math.floor(epochMs / dayMs);
  let days = steadyDays.get(zone);
  const known = days?.get(day);
  if (known !== undefined) return known;
  const atStart = offsetFromIcu(zone, day * dayMs);
  if (atStart !== offsetFromIcu(zone, (day + 1) * dayMs - 1000)) return offsetFromIcu(zone, epochMs);
  if (steadyDayCount >= maxSteadyDays) {
    steadyDays.clear();
    steadyDayCount = 0;
  }
  if (!days) {
    days = new Map();
    steadyDays.set(zone, days);
  }
  days.set(day, atStart);
  steadyDayCount += 1;
  return atStart;
}
