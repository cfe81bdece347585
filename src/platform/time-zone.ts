import { IANAZone } from 'luxon';

/**
 * Whether `zone` is an IANA time zone name. Luxon asks the ICU data directly; Node 20's
 * `Intl.supportedValuesOf('timeZone')` lists only canonical names and so misses `UTC`, `Etc/UTC`
 * and `Europe/Kyiv`, which people type.
 */
export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}
