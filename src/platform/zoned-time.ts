/**
 * Wall-clock time in an IANA time zone, with nothing but Intl: a gift scheduled for "25 December, 09:00"
 * means 09:00 where the recipient lives (S2.7). Shared by the server and the web UI.
 */

/** The zone's offset from UTC at an instant, in ms (Asia/Seoul: +9 h). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant at which clocks in `timeZone` show `local` ("YYYY-MM-DDTHH:mm", as a datetime-local input
 * gives it). In the hour a DST change skips, the later offset applies; in the hour it repeats, the earlier.
 */
export function zonedToInstant(local: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new RangeError(`"${local}" is not a date and time (YYYY-MM-DDTHH:mm)`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const a = wall - zoneOffsetMs(new Date(wall), timeZone);
  const b = wall - zoneOffsetMs(new Date(a), timeZone);
  const shows = (t: number) => instantToZoned(new Date(t), timeZone) === local;
  const valid = [a, b].filter(shows);
  // Both valid: the repeated hour, take the earlier. Neither: the skipped hour, move past the gap.
  return new Date(valid.length ? Math.min(...valid) : Math.max(a, b));
}

/** What clocks in `timeZone` show at an instant, as "YYYY-MM-DDTHH:mm" (for datetime-local inputs). */
export function instantToZoned(at: Date, timeZone: string): string {
  return new Date(at.getTime() + zoneOffsetMs(at, timeZone)).toISOString().slice(0, 16);
}
