import { describe, expect, it } from 'vitest';
import { DEFAULT_METHODS_FILE, PaymentMethodCatalogue } from './methods.ts';

const catalogue = PaymentMethodCatalogue.fromFile(DEFAULT_METHODS_FILE);
const ids = (country: string) => catalogue.forCountry(country).map((m) => m.id);

describe('payment methods per country (R10, S1.7, S2.8)', () => {
  it.each([
    ['KR', ['kakaopay', 'naverpay', 'tosspay', 'card']],
    ['JP', ['paypay', 'konbini', 'card']],
    ['CN', ['alipay', 'wechatpay', 'unionpay']],
    ['US', ['paypal', 'applepay', 'card']],
    ['DE', ['paypal', 'klarna', 'sepa', 'card']],
    ['BR', ['pix', 'boleto', 'card']],
    ['IN', ['upi', 'card']],
    ['NL', ['ideal']],
    ['PL', ['blik']],
  ])('R10 S1.7 %s offers its representative methods', (country, expected) => {
    expect(ids(country)).toEqual(expect.arrayContaining(expected));
  });

  it("R10 a country's own methods come before the global card", () => {
    expect(ids('KR')[0]).toBe('kakaopay');
    expect(ids('KR').at(-1)).toBe('card');
  });

  it('R10 R12 restricted markets get no international methods, and a method from another market is not offered', () => {
    expect(ids('RU')).toEqual([]);
    expect(ids('CN')).not.toContain('card');
    expect(catalogue.offered('kakaopay', 'US')).toBeUndefined();
    expect(catalogue.offered('kakaopay', 'KR')?.approval).toBe(true);
  });

  it('R10 the catalogue refuses unknown countries and duplicate ids', () => {
    expect(
      () => new PaymentMethodCatalogue([{ id: 'x', name: 'X', kind: 'card', countries: ['XX'], laterCapture: true, approval: false }]),
    ).toThrow(/XX/);
    const m = { id: 'x', name: 'X', kind: 'card' as const, countries: ['US'], laterCapture: true, approval: false };
    expect(() => new PaymentMethodCatalogue([m, m])).toThrow(/unique/);
  });
});
