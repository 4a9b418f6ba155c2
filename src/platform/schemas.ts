import { Type, type Static } from 'typebox';

/** The store's shared vocabulary in the API: countries, currencies, money (every context speaks it). */
export const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code', examples: ['KR'] });
export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['KRW'] });

export const Money = Type.Object({
  amountMinor: Type.Integer({ minimum: 0, description: 'Amount in minor units of the currency (cents, won, yen)' }),
  currency: CurrencyCode,
});
export type Money = Static<typeof Money>;
