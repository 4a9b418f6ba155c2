import { STORE_CLOCK_SHIFT_HEADER, STORE_TIME_HEADER } from '../../src/platform/clock.ts';

/**
 * The store's clock as the browser knows it. Every API answer carries the store's "now"; the browser keeps the
 * difference to its own clock, so "in the past", "release day" and countdowns follow the store (a test's clock, a
 * development shift, a machine whose clock is wrong) instead of the visitor's computer.
 */
let offsetMs = 0;
/** Development: how far an operator moved the store's clock (0 = real time), from x-store-clock-shift. */
let shiftMs = 0;
/** Whether the store has a development clock at all (the header is there, 0 or not). */
let adjustable = false;
const listeners = new Set<() => void>();

export function observeStoreTime(headers: Headers): void {
  const at = headers.get(STORE_TIME_HEADER);
  const ms = at ? Date.parse(at) : NaN;
  if (Number.isFinite(ms)) offsetMs = ms - Date.now();
  const header = headers.get(STORE_CLOCK_SHIFT_HEADER);
  const shift = Number(header ?? 0) || 0;
  if (shift !== shiftMs || (header !== null) !== adjustable) {
    shiftMs = shift;
    adjustable = header !== null;
    for (const l of listeners) l();
  }
}

/** The development clock's shift, and a subscription for the banner (useSyncExternalStore). */
export const clockShift = {
  get: () => shiftMs,
  adjustable: () => adjustable,
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function storeNow(): Date {
  return new Date(Date.now() + offsetMs);
}
