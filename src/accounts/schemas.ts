import { Type, type Static } from 'typebox';
import { CountryCode, CurrencyCode } from '../platform/schemas.ts';

export const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z_+\\-/0-9]+$',
  description: 'IANA time zone, e.g. Asia/Seoul',
});

export const SignUp = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 10, maxLength: 128 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    country: CountryCode,
    language: Type.String({ pattern: '^[a-z]{2}$' }),
    currency: Type.Optional(CurrencyCode),
    /** IANA time zone, e.g. Asia/Seoul (browsers know it); default: the country's main zone. */
    timeZone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);
export type SignUp = Static<typeof SignUp>;

export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  country: CountryCode,
  language: Type.String(),
  currency: CurrencyCode,
  timeZone: TimeZone,
  role: Type.Union([Type.Literal('player'), Type.Literal('operator')]),
  twoFactor: Type.Boolean({ description: 'Two-factor authentication (TOTP) is on; operators need it' }),
});
export type Me = Static<typeof Me>;

export const Preferences = Type.Object(
  {
    language: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
    currency: Type.Optional(CurrencyCode),
    timeZone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);
export type Preferences = Static<typeof Preferences>;

/** A sign-in provider of this deployment (R7): social or OpenID Connect, and the countries it serves first. */
export const ProviderView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('social'), Type.Literal('oidc')]),
  countries: Type.Array(Type.String()),
  local: Type.Boolean(),
});
export type ProviderView = Static<typeof ProviderView>;
