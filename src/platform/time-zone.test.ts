import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { cachedZoneDays, isTimeZone, zoneOffsetMinutes } from './time-zone.js';

const typed = ['UTC', 'Etc/UTC', 'Europe/Kyiv', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires'];

describe('isTimeZone', () => {
  it.each([...typed, 'Europe/London', 'America/New_York'])('accepts %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus', '', 'Europe/', '+25:00'])('refuses %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });

  it('lets SKIFF_LOCAL_TENANTS name the zones people type', () => {
    const entries = typed.map((zone, i) => `t${i}:${zone}:key-of-tenant-${i}`).join(',');
    const config = loadConfig({ SKIFF_LOCAL_TENANTS: entries });
    expect(config.records.localTenants.map((t) => t.timeZone)).toEqual(typed);
  });
});

describe('zoneOffsetMinutes', () => {
  it('reads summer and winter offsets, and zones off the hour', () => {
    expect(zoneOffsetMinutes('Europe/London', Date.UTC(2026, 0, 15))).toBe(0);
    expect(zoneOffsetMinutes('Europe/London', Date.UTC(2026, 6, 1))).toBe(60);
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2026, 0, 15))).toBe(-300);
    expect(zoneOffsetMinutes('Asia/Kathmandu', Date.UTC(2026, 0, 15))).toBe(345);
    expect(zoneOffsetMinutes('Etc/UTC', Date.UTC(2026, 0, 15))).toBe(0);
  });

  it('changes at the instant the clocks do', () => {
    const change = Date.UTC(2026, 2, 29, 1); // London springs forward at 01:00 UTC
    expect(zoneOffsetMinutes('Europe/London', change - 1)).toBe(0);
    expect(zoneOffsetMinutes('Europe/London', change)).toBe(60);
  });

  it('agrees with Luxon, whose IANAZone.offset it replaces, over 150 years of history', () => {
    const zones = [
      'UTC',
      'Europe/London',
      'Europe/Amsterdam',
      'Europe/Kyiv',
      'America/New_York',
      'America/St_Johns',
      'America/Argentina/Buenos_Aires',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'Africa/Casablanca',
    ];
    const from = Date.UTC(1890, 0, 1);
    const to = Date.UTC(2040, 0, 1);
    // Every 9 days and 7 hours, odd milliseconds included, so the walk crosses each transition's week.
    const step = 9 * 86_400_000 + 7 * 3_600_000 + 123;
    for (const zone of zones) {
      const luxon = IANAZone.create(zone);
      const differ: number[] = [];
      for (let instant = from; instant < to; instant += step) {
        if (zoneOffsetMinutes(zone, instant) !== luxon.offset(instant)) differ.push(instant);
      }
      expect({ zone, differ }).toEqual({ zone, differ: [] });
    }
  });

  it('answers from its cache of steady days what ICU answers, hour by hour through changes of the clocks', () => {
    // London and New York change at different hours, Lord Howe by half an hour, Casablanca twice a
    // year around Ramadan, and Apia skipped 2011-12-30 altogether.
    const zones = [
      'Europe/London',
      'America/New_York',
      'Australia/Lord_Howe',
      'Africa/Casablanca',
      'Pacific/Apia',
    ];
    const hour = 3_600_000;
    for (const zone of zones) {
      const luxon = IANAZone.create(zone);
      const differ: number[] = [];
      for (const year of [2011, 2026]) {
        for (
          let instant = Date.UTC(year, 0, 1);
          instant < Date.UTC(year + 1, 0, 1);
          instant += hour + 1_000
        ) {
          const first = zoneOffsetMinutes(zone, instant);
          const again = zoneOffsetMinutes(zone, instant);
          if (first !== luxon.offset(instant) || again !== first) differ.push(instant);
        }
      }
      expect({ zone, differ }).toEqual({ zone, differ: [] });
    }
  });

  it('keeps its cache bounded whatever the span of dates asked', () => {
    for (let day = 0; day < 60_000; day += 1) zoneOffsetMinutes('Etc/UTC', day * 86_400_000);
    expect(cachedZoneDays()).toBeGreaterThan(0);
    expect(cachedZoneDays()).toBeLessThanOrEqual(50_000);
  });

  it('refuses an unknown zone', () => {
    expect(() => zoneOffsetMinutes('Mars/Olympus', 0)).toThrow(RangeError);
  });
});
