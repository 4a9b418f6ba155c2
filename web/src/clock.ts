import { STORE_TIME_HEADER } from '../../src/platform/clock.ts';

/**
 * The store's clock as the browser knows it. Every API answer carries the store's "now"; the browser keeps the
 * difference to its own clock, so "in the past", "release day" and countdowns follow the store (a test's clock, a
 * development shift, a machine whose clock is wrong) instead of the visitor's computer.
 */
let offsetMs = 0;

export function observeStoreTime(headers: Headers): void {
  const at = headers.get(STORE_TIME_HEADER);
  const ms = at ? Date.parse(at) : NaN;
  if (Number.isFinite(ms)) offsetMs = ms - Date.now();
}

export function storeNow(): Date {
  return new Date(Date.now() + offsetMs);
}
