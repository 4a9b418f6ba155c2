import { Type, type Static } from 'typebox';
import { CountryCode, CurrencyCode, Money } from '../platform/schemas.ts';

/** Route schemas are declared once here: Fastify validates with them, OpenAPI and the web client's types come from them. */

export const PriceCountry = Type.String({
  pattern: '^([A-Z]{2}|\\*)$',
  description: "ISO 3166-1 alpha-2 code, or '*' for every country without its own price",
});
export const LocalizedText = Type.Record(Type.String({ pattern: '^[a-z]{2}$' }), Type.String({ maxLength: 20000 }), {
  description: 'Text per language (BCP 47 primary tag → text)',
});
export const Slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 2, maxLength: 120 });
export const IsoDate = Type.String({ format: 'date', description: 'Calendar date YYYY-MM-DD' });

// The shared vocabulary lives in platform/; re-exported for the catalog's own schemas and their readers.
export { CountryCode, CurrencyCode, Money } from '../platform/schemas.ts';

export const RegionRule = Type.Object({
  mode: Type.Union([Type.Literal('everywhere'), Type.Literal('only'), Type.Literal('except')]),
  countries: Type.Array(CountryCode, { maxItems: 300 }),
});

export const PriceEntry = Type.Object({
  country: PriceCountry,
  currency: CurrencyCode,
  amountMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
});
export type PriceEntry = Static<typeof PriceEntry>;

export const EditionInput = Type.Object({
  code: Slug,
  name: LocalizedText,
  prices: Type.Array(PriceEntry, { maxItems: 500 }),
});

export const GameStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')]);

export const GameInput = Type.Object(
  {
    slug: Slug,
    status: GameStatus,
    defaultLanguage: Type.String({ pattern: '^[a-z]{2}$' }),
    title: LocalizedText,
    summary: Type.Optional(LocalizedText),
    description: LocalizedText,
    genres: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 20 }),
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 40 }),
    developer: Type.String({ minLength: 1, maxLength: 200 }),
    publisher: Type.String({ minLength: 1, maxLength: 200 }),
    releaseDate: Type.Union([IsoDate, Type.Null()], { description: 'null while the date is not announced' }),
    coverUrl: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
    screenshots: Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 30 }),
    editions: Type.Array(EditionInput, { minItems: 1, maxItems: 10, description: 'The first edition is the standard one' }),
    regions: Type.Object(
      {
        sale: RegionRule,
        play: RegionRule,
        ipMismatch: Type.Optional(
          Type.Union([Type.Literal('allow'), Type.Literal('warn'), Type.Literal('block')], {
            description:
              'When a buyer connects from another country than their residence: allow, allow with a warning (default), or refuse',
          }),
        ),
      },
      {
        description:
          'R12: countries where the game may be sold (by residence) and played (owners included: remove a country from play to block downloads there)',
      },
    ),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type GameInput = Static<typeof GameInput>;

export const OperatorGame = Type.Intersect([
  GameInput,
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    version: Type.Integer({ description: 'Optimistic lock: send it back as If-Match when editing' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  }),
]);
export type OperatorGame = Static<typeof OperatorGame>;

export const OperatorGameRow = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  status: GameStatus,
  releaseDate: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  updatedAt: Type.String(),
});

export const Availability = Type.Object({
  purchasable: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'not_sold_in_country | not_playable_in_country | no_price_in_country' })),
  message: Type.Optional(Type.String()),
});
export type Availability = Static<typeof Availability>;

export const Offer = Type.Object({
  listPrice: Money,
  percentOff: Type.Integer(),
  endsAt: Type.Union([Type.String(), Type.Null()], { description: 'When the promotion ends (the countdown), if it does' }),
});

export const GameCard = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  genres: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  coverUrl: Type.Union([Type.String(), Type.Null()]),
  releaseDate: Type.Union([Type.String(), Type.Null()]),
  released: Type.Boolean(),
  /** What is paid: after the promotions live in the shopper's country. */
  price: Type.Union([Money, Type.Null()]),
  /** Present when a promotion discounts the price: the strike-through price, the badge and the countdown. */
  offer: Type.Optional(Offer),
  availability: Availability,
});
export type GameCard = Static<typeof GameCard>;

export const StoreGame = Type.Intersect([
  GameCard,
  Type.Object({
    description: Type.String(),
    developer: Type.String(),
    publisher: Type.String(),
    screenshots: Type.Array(Type.String()),
    editions: Type.Array(
      Type.Object({
        id: Type.String(),
        code: Type.String(),
        name: Type.String(),
        price: Type.Union([Money, Type.Null()]),
        offer: Type.Optional(Offer),
      }),
    ),
    country: CountryCode,
    language: Type.String(),
  }),
]);
export type StoreGame = Static<typeof StoreGame>;

export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  genre: Type.Optional(Type.String({ maxLength: 60 })),
  minPrice: Type.Optional(Type.Integer({ minimum: 0, description: "Minor units of the visitor's currency" })),
  maxPrice: Type.Optional(Type.Integer({ minimum: 0 })),
  release: Type.Optional(Type.Union([Type.Literal('released'), Type.Literal('upcoming')])),
  sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('newest'), Type.Literal('popular'), Type.Literal('price')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchResult = Type.Object({
  items: Type.Array(GameCard),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  country: CountryCode,
  currency: CurrencyCode,
});
export type SearchResult = Static<typeof SearchResult>;

export const HomePage = Type.Object({
  newReleases: Type.Array(GameCard),
  upcoming: Type.Array(GameCard),
  popular: Type.Array(GameCard),
  genres: Type.Array(Type.Object({ name: Type.String(), games: Type.Integer() })),
});
export type HomePage = Static<typeof HomePage>;

export const Quote = Type.Object({
  gameId: Type.String(),
  editionId: Type.String(),
  country: CountryCode,
  price: Money,
});
export type Quote = Static<typeof Quote>;
