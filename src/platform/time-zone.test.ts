import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { isTimeZone } from './time-zone.js';

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
