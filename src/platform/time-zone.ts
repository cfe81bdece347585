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
