/** Money is an integer number of minor units (cents, won, yen) with an ISO 4217 currency; never a float. */
export interface Money {
  amountMinor: number;
  currency: string;
}

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

/** Minor-unit digits as ICU knows them: USD 2, KRW 0, JPY 0, KWD 3. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Converts a decimal amount from a data file ("19.99") to minor units without float drift. */
export function toMinor(decimal: string | number, currency: string): number {
  const digits = minorDigits(currency);
  const [whole = '0', frac = ''] = String(decimal).trim().split('.');
  const padded = (frac + '0'.repeat(digits)).slice(0, digits);
  return Number(whole) * 10 ** digits + (digits ? Number(padded) : 0);
}

export function formatMoney(m: Money, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.amountMinor / 10 ** minorDigits(m.currency));
}

/** A count for people (points, copies): grouped the way the reader's locale groups digits — 1,145 / 1.145. */
export function formatCount(n: number, locale = 'en'): string {
  return new Intl.NumberFormat(locale).format(n);
}
