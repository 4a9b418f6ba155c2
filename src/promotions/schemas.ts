import { Type, type Static } from 'typebox';
import { CountryCode, CurrencyCode, Money } from '../platform/schemas.ts';

/** Route schemas of the promotions context (R5), declared once: validation, OpenAPI and the console's types. */

const Percent = Type.Integer({ minimum: 1, maximum: 100 });
const Id = Type.String({ format: 'uuid' });
const Words = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200 });
const Local = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$',
  description: 'Wall-clock time in `timeZone`, YYYY-MM-DDTHH:mm',
  examples: ['2026-12-24T20:00'],
});

export const Effect = Type.Union([
  Type.Object({ kind: Type.Literal('percent_off'), percent: Percent }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('amount_off'),
      amounts: Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), {
        description: 'Minor units off, per currency (a price in a currency not listed is not discounted)',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('fixed_price'),
      prices: Type.Record(Type.String({ pattern: '^[A-Z]{2}$' }), Money, {
        description: 'The price per country (never above the list price)',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('bundle'),
      games: Type.Array(Id, { minItems: 2, maxItems: 50 }),
      minItems: Type.Integer({ minimum: 2, maximum: 50 }),
      percent: Percent,
    },
    {
      additionalProperties: false,
      description:
        'Buy `minItems` of these games together (one cart) and each is `percent` off; games already owned count too (complete the set)',
    },
  ),
]);

export const Targets = Type.Object(
  {
    games: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 5000 })),
    editions: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 5000 })),
    genres: Type.Optional(Words),
    tags: Type.Optional(Words),
    developers: Type.Optional(Words),
    publishers: Type.Optional(Words),
    countries: Type.Optional(Type.Array(CountryCode, { minItems: 1, maxItems: 300 })),
    preorderOnly: Type.Optional(Type.Boolean()),
    segment: Type.Optional(
      Type.Object(
        {
          newAccountDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          ownersOf: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100 })),
          minPoints: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'Every dimension listed must match (any value within one); none listed = every game' },
);

export const Stacking = Type.Union([Type.Literal('exclusive'), Type.Literal('best'), Type.Literal('priority')], {
  description: 'exclusive: never combined; best: only the best one for the customer applies; priority: stacks, highest priority first',
});

export const PromotionInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    effect: Effect,
    targets: Type.Optional(Targets),
    stacking: Stacking,
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, default: 0 })),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone the schedule is written in, e.g. Asia/Tokyo' }),
    startsAt: Local,
    endsAt: Type.Optional(Type.Union([Local, Type.Null()])),
    budget: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000_000 }), Type.Null()])),
    coupon: Type.Optional(
      Type.Object(
        {
          codes: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9-]{4,32}$' }), { maxItems: 10_000 })),
          generate: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'How many random codes to create' })),
          maxUses: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Uses per code (1 = single-use)' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PromotionInput = Static<typeof PromotionInput>;

export const Promotion = Type.Object({
  id: Type.String(),
  name: Type.String(),
  effect: Effect,
  targets: Targets,
  stacking: Stacking,
  priority: Type.Integer(),
  timeZone: Type.String(),
  startsAt: Local,
  endsAt: Type.Union([Local, Type.Null()]),
  startsAtUtc: Type.String(),
  endsAtUtc: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('ended')]),
  state: Type.Union([
    Type.Literal('scheduled'),
    Type.Literal('running'),
    Type.Literal('paused'),
    Type.Literal('expired'),
    Type.Literal('ended'),
  ]),
  couponRequired: Type.Boolean(),
  budget: Type.Union([Type.Integer(), Type.Null()]),
  used: Type.Integer(),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Promotion = Static<typeof Promotion>;

export const PromotionDetail = Type.Intersect([
  Promotion,
  Type.Object({
    coupons: Type.Array(Type.Object({ code: Type.String(), maxUses: Type.Integer(), uses: Type.Integer() })),
    audit: Type.Array(
      Type.Object({
        action: Type.String(),
        actorId: Type.Union([Type.String(), Type.Null()]),
        actor: Type.Union([Type.String(), Type.Null()], { description: 'Who: name <email>; null for the system' }),
        at: Type.String(),
        before: Type.Unknown(),
        after: Type.Unknown(),
      }),
    ),
  }),
]);
export type PromotionDetail = Static<typeof PromotionDetail>;

export const PreviewRequest = Type.Object(
  {
    gameId: Id,
    editionId: Type.Optional(Id),
    country: CountryCode,
    currency: Type.Optional(CurrencyCode),
    /** When, as wall-clock time in `timeZone` (default: now). */
    at: Type.Optional(Local),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
    userId: Type.Optional(Type.String({ maxLength: 100 })),
    coupon: Type.Optional(Type.String({ maxLength: 32 })),
    /** A promotion not saved yet, priced beside the live ones. */
    draft: Type.Optional(PromotionInput),
  },
  { additionalProperties: false },
);
export type PreviewRequest = Static<typeof PreviewRequest>;

export const AppliedPromotion = Type.Object({ id: Type.String(), name: Type.String(), off: Money });

export const PricePreview = Type.Object({
  at: Type.String(),
  country: CountryCode,
  listPrice: Money,
  price: Money,
  discount: Money,
  percentOff: Type.Integer(),
  applied: Type.Array(AppliedPromotion),
  endsAt: Type.Union([Type.String(), Type.Null()]),
});
export type PricePreview = Static<typeof PricePreview>;

export { CurrencyCode };
