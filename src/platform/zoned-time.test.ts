import { describe, expect, it } from 'vitest';
import { instantToZoned, zonedToInstant, zoneOffsetMs } from './zoned-time.ts';

describe('wall-clock time in a time zone (S2.7 delivery time in the recipient’s zone)', () => {
  it('S2.7 09:00 on Christmas in Tokyo is midnight UTC; in Seoul too; in Berlin 08:00 UTC', () => {
    expect(zonedToInstant('2026-12-25T09:00', 'Asia/Tokyo').toISOString()).toBe('2026-12-25T00:00:00.000Z');
    expect(zonedToInstant('2026-12-25T09:00', 'Asia/Seoul').toISOString()).toBe('2026-12-25T00:00:00.000Z');
    expect(zonedToInstant('2026-12-25T09:00', 'Europe/Berlin').toISOString()).toBe('2026-12-25T08:00:00.000Z');
  });

  it('S2.7 daylight saving time: New York is UTC−5 in January and UTC−4 in July; a skipped hour moves forward', () => {
    expect(zonedToInstant('2026-01-10T12:00', 'America/New_York').toISOString()).toBe('2026-01-10T17:00:00.000Z');
    expect(zonedToInstant('2026-07-10T12:00', 'America/New_York').toISOString()).toBe('2026-07-10T16:00:00.000Z');
    expect(zoneOffsetMs(new Date('2026-07-10T16:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    // 2026-03-08 02:30 does not exist in New York (clocks jump from 02:00 to 03:00).
    expect(instantToZoned(zonedToInstant('2026-03-08T02:30', 'America/New_York'), 'America/New_York')).toBe('2026-03-08T03:30');
  });

  it('S2.7 an instant shown in a zone and read back is the same instant', () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'Australia/Adelaide', 'America/Sao_Paulo', 'Pacific/Chatham']) {
      const at = new Date('2026-11-24T09:17:00Z');
      expect(zonedToInstant(instantToZoned(at, zone), zone).toISOString(), zone).toBe(at.toISOString());
    }
    expect(() => zonedToInstant('tomorrow', 'UTC')).toThrow(RangeError);
  });
});
