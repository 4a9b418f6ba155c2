/** Every piece of code that needs "now" asks a Clock, so tests can move time (release day, 30-day limits). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; used by tests and by the dev-only clock endpoint. */
export class ManualClock implements Clock {
  #at: number;
  constructor(start: Date | string = new Date()) {
    this.#at = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#at);
  }
  set(at: Date | string): void {
    this.#at = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.#at += ms;
  }
}

/** The calendar date (UTC) of an instant, as YYYY-MM-DD; release dates are calendar dates. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Response header carrying the store's "now" (ISO 8601), so clients judge time by the store's clock. */
export const STORE_TIME_HEADER = 'x-store-time';
