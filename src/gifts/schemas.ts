import { Type, type Static } from 'typebox';
import { CountryCode, Money } from '../catalog/schemas.ts';
import { TimeZone } from '../accounts/schemas.ts';
import { GIFT_STATES } from './state.ts';

/** The states of gifts/state.ts. */
export const GiftStateSchema = Type.Enum(GIFT_STATES);

export const Recipient = Type.Object({ id: Type.String(), name: Type.String(), country: CountryCode, timeZone: TimeZone });

export const GiftRecipients = Type.Object({
  recipients: Type.Array(Recipient, { description: 'Friends who can receive this game (S2.4, S2.5)' }),
  unavailable: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), reason: Type.String(), message: Type.String() }), {
    description: 'Friends who cannot receive it because of where they live (R12)',
  }),
  leftOut: Type.Integer({ description: 'Friends left out because they own the game or have it on its way as a gift (S2.5)' }),
});
export type GiftRecipients = Static<typeof GiftRecipients>;

export const SendGift = Type.Object(
  {
    gameId: Type.String({ format: 'uuid' }),
    editionId: Type.Optional(Type.String({ format: 'uuid' })),
    recipientId: Type.String({ minLength: 1, maxLength: 100 }),
    message: Type.String({ maxLength: 1000, default: '' }),
    deliverAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the gift arrives (S2.7); leave out to send it now. Show it in the recipient’s time zone.',
      }),
    ),
    pointsToUse: Type.Integer({ minimum: 0 }),
    paymentMethod: Type.String({ maxLength: 40 }),
    coupon: Type.Optional(Type.String({ maxLength: 32 })),
    quoteToken: Type.Optional(
      Type.String({
        maxLength: 4000,
        description: 'The gift quote (GET /api/checkout?action=gift) this gift accepts: its price is honoured while valid',
      }),
    ),
    admission: Type.Optional(
      Type.String({ maxLength: 2000, description: 'While a waiting room is on for the game: the admission it gave you (R6)' }),
    ),
  },
  { additionalProperties: false },
);
export type SendGift = Static<typeof SendGift>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

export const GiftView = Type.Object({
  id: Type.String(),
  role: Type.Union([Type.Literal('sender'), Type.Literal('recipient')]),
  game: Type.Object({ id: Type.String(), title: Type.String() }),
  from: Type.Object({ id: Type.String(), name: Type.String() }),
  to: Type.Object({ id: Type.String(), name: Type.String(), timeZone: TimeZone }),
  message: Type.String(),
  state: GiftStateSchema,
  deliverAt: Instant,
  deliveredAt: Nullable(Instant),
  expiresAt: Nullable(Instant),
  settledAt: Nullable(Instant),
  createdAt: Instant,
  /** The sender's side: what was paid and what came back. Absent for the recipient. */
  payment: Type.Optional(
    Type.Object({
      status: Type.String({
        description: 'Status of the order that paid for the gift (pending, paid, cancelled, refund_pending, refunded)',
      }),
      price: Money,
      paid: Money,
      pointsUsed: Type.Integer(),
      method: Type.String(),
      approvalUrl: Nullable(Type.String()),
      failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
      refunded: Nullable(Money),
    }),
  ),
  actions: Type.Object({ accept: Type.Boolean(), decline: Type.Boolean(), cancel: Type.Boolean() }),
});
export type GiftView = Static<typeof GiftView>;

export const GiftList = Type.Object({ sent: Type.Array(GiftView), received: Type.Array(GiftView) });

export const GiftReportQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'First day (UTC) the gift was bought' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Last day (UTC), inclusive' })),
    state: Type.Optional(GiftStateSchema),
    gameId: Type.Optional(Type.String({ format: 'uuid' })),
    game: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the game’s title, in any of its languages' })),
    senderCountry: Type.Optional(CountryCode),
    recipientCountry: Type.Optional(CountryCode),
    points: Type.Optional(
      Type.Union([Type.Literal('used'), Type.Literal('none')], { description: 'used: gifts paid partly with points; none: without' }),
    ),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);
export type GiftReportQuery = Static<typeof GiftReportQuery>;

export const GiftReportRow = Type.Object({
  id: Type.String(),
  createdAt: Instant,
  state: GiftStateSchema,
  orderStatus: Type.String(),
  game: Type.Object({ id: Type.String(), title: Type.String() }),
  sender: Type.Object({ id: Type.String(), name: Type.String(), country: CountryCode }),
  recipient: Type.Object({ id: Type.String(), name: Type.String(), country: CountryCode }),
  deliverAt: Instant,
  deliveredAt: Nullable(Instant),
  settledAt: Nullable(Instant),
  paid: Money,
  pointsUsed: Type.Integer(),
  refunded: Nullable(Money),
});

export const GiftReport = Type.Object({
  rows: Type.Array(GiftReportRow),
  truncated: Type.Boolean({ description: 'More gifts matched than the rows shown; the totals and the CSV cover all of them' }),
  totals: Type.Object({
    count: Type.Integer(),
    byState: Type.Record(Type.String(), Type.Integer()),
    money: Type.Array(
      Type.Object({
        currency: Type.String(),
        count: Type.Integer(),
        paidMinor: Type.Integer(),
        refundedMinor: Type.Integer(),
        pointsUsed: Type.Integer(),
      }),
    ),
  }),
  perDay: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), counts: Type.Record(Type.String(), Type.Integer()) })),
});
export type GiftReport = Static<typeof GiftReport>;
