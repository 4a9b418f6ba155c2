import { describe, expect, it } from 'vitest';
import { resolvePrice } from './service.ts';
import { regionalPrices } from './demo-catalog.ts';
import { toMinor, minorDigits } from '../platform/money.ts';

const book = [
  { country: '*', currency: 'USD', amount_minor: 1999 },
  { country: '*', currency: 'EUR', amount_minor: 1899 },
  { country: 'KR', currency: 'KRW', amount_minor: 22000 },
];

describe('price resolution (R1, S1.6 groundwork)', () => {
  it("R1 a country's own entry wins over the rest-of-world entry", () => {
    expect(resolvePrice(book, { country: 'KR', currency: 'KRW' })).toEqual({ amountMinor: 22000, currency: 'KRW' });
  });
  it("R1 without its own entry a country pays the rest-of-world price, in the shopper's currency when there is one", () => {
    expect(resolvePrice(book, { country: 'FR', currency: 'EUR' })).toEqual({ amountMinor: 1899, currency: 'EUR' });
    expect(resolvePrice(book, { country: 'BR', currency: 'BRL' })).toEqual({ amountMinor: 1999, currency: 'USD' });
  });
  it('R1 no entry for the country and no rest-of-world entry means no price', () => {
    expect(resolvePrice([{ country: 'JP', currency: 'JPY', amount_minor: 3000 }], { country: 'US', currency: 'USD' })).toBeNull();
  });
  it('R1 money is integer minor units: KRW and JPY have none, USD two', () => {
    expect(minorDigits('KRW')).toBe(0);
    expect(minorDigits('JPY')).toBe(0);
    expect(toMinor('19.99', 'USD')).toBe(1999);
    expect(toMinor('0.1', 'USD')).toBe(10);
    expect(toMinor('5000', 'KRW')).toBe(5000);
  });
  it('R1 demo regional prices are integers in each currency', () => {
    for (const p of regionalPrices(1999)) expect(Number.isInteger(p.amountMinor)).toBe(true);
    expect(regionalPrices(1999).find((p) => p.country === 'KR')).toEqual({ country: 'KR', currency: 'KRW', amountMinor: 23000 });
  });
});
