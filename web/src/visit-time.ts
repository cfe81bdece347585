/**
 * A visit's instant as a person reads it: `2025-07-15 17:15 (GMT+1)`, on the wall clock of an IANA
 * time zone (the tenant's), with its offset that day, so summer and winter time are told apart. The
 * offset rather than an abbreviation: abbreviations depend on the reader's locale (BST, or GMT+1).
 */
export function wallClock(instant: string, timeZone: string, withOffset = true): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT\+0$/, 'GMT');
  const time = `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
  return withOffset ? `${time} (${offset})` : time;
}
