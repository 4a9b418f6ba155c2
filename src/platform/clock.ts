/** Every piece of code that needs "now" asks a Clock, so tests can move time (release day, 30-day limits). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that can be moved on purpose: the development clock (dev-clock.ts) and tests. */
export interface AdjustableClock extends Clock {
  /** How far the clock is from the real time, in ms (0 when not moved). */
  offsetMs(): number;
  /** From now on, "now" is `at` and goes on from there. */
  moveTo(at: Date): void;
  /** Back to the real time. */
  reset(): void;
}

export const isAdjustable = (c: Clock): c is AdjustableClock => 'moveTo' in c && 'offsetMs' in c;

/**
 * Development (DEV_CLOCK=on): the real time plus an offset an operator sets from the console, so that release day,
 * a sale's end or a 14-day refund window can be checked without waiting. Never in production (config.ts refuses).
 */
export class ShiftableClock implements AdjustableClock {
  #offset = 0;
  now(): Date {
    return new Date(Date.now() + this.#offset);
  }
  offsetMs(): number {
    return this.#offset;
  }
  moveTo(at: Date): void {
    this.#offset = at.getTime() - Date.now();
  }
  reset(): void {
    this.#offset = 0;
  }
}

/** A clock that only moves when told to; used by tests. */
export class ManualClock implements AdjustableClock {
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
  offsetMs(): number {
    return this.#at - Date.now();
  }
  moveTo(at: Date): void {
    this.#at = at.getTime();
  }
  reset(): void {
    this.#at = Date.now();
  }
}

/** The calendar date (UTC) of an instant, as YYYY-MM-DD; release dates are calendar dates. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Response header carrying the store's "now" (ISO 8601), so clients judge time by the store's clock. */
export const STORE_TIME_HEADER = 'x-store-time';
/** Response header present while the development clock is moved: its offset from the real time, in ms. */
export const STORE_CLOCK_SHIFT_HEADER = 'x-store-clock-shift';
