import { Type, type Static } from 'typebox';
import { Money } from '../catalog/schemas.ts';
import { ORDER_STATUSES } from './state.ts';

/** The order state machine's statuses (orders/state.ts), as the API shows them. */
export const OrderStatusSchema = Type.Enum(ORDER_STATUSES);

export const PaymentMethodView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  approval: Type.Boolean({ description: 'The buyer approves on the provider’s page' }),
});

export const CheckoutQuote = Type.Object({
  gameId: Type.String(),
  editionId: Type.String(),
  title: Type.String(),
  kind: Type.Union([Type.Literal('preorder'), Type.Literal('purchase')]),
  listPrice: Money,
  discountPercent: Type.Integer({
    description: 'All promotions together, rounded down (the pre-order discount, S1.6, ends on release day, S1.16)',
  }),
  discount: Money,
  price: Money,
  promotions: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), off: Money }), {
    description: 'The promotions in the price, in the order they apply (R5)',
  }),
  offerEndsAt: Type.Union([Type.String(), Type.Null()], { description: 'When the earliest of those promotions ends' }),
  coupon: Type.Optional(
    Type.Object({
      code: Type.String(),
      status: Type.Union([
        Type.Literal('applied'),
        Type.Literal('unknown'),
        Type.Literal('used_up'),
        Type.Literal('not_applicable'),
        Type.Literal('unavailable'),
      ]),
    }),
  ),
  quoteToken: Type.String({
    description: 'Send it with the order: this price is honoured until quoteExpiresAt, even if a promotion ends meanwhile',
  }),
  quoteExpiresAt: Type.String({ format: 'date-time' }),
  points: Type.Object({
    balance: Type.Integer({ description: 'Your points in the price’s currency (one wallet per currency)' }),
    usable: Type.Integer({ description: 'At most the price' }),
    elsewhere: Type.Array(Type.Object({ currency: Type.String(), balance: Type.Integer() }), {
      description: 'Your points in other currencies: they pay only for prices in their own currency',
    }),
  }),
  pointsEarnRatePercent: Type.Number(),
  paymentMethods: Type.Array(PaymentMethodView),
  regionWarning: Type.Optional(
    Type.String({ description: 'R12: shown when buying from another country than the residence (allowed with a warning)' }),
  ),
});
export type CheckoutQuote = Static<typeof CheckoutQuote>;

export const PlaceOrder = Type.Object(
  {
    gameId: Type.String({ format: 'uuid' }),
    editionId: Type.Optional(Type.String({ format: 'uuid' })),
    pointsToUse: Type.Integer({ minimum: 0 }),
    paymentMethod: Type.String({ maxLength: 40 }),
    coupon: Type.Optional(Type.String({ maxLength: 32 })),
    quoteToken: Type.Optional(
      Type.String({ maxLength: 4000, description: 'The quote this order accepts (its price is honoured while valid)' }),
    ),
    admission: Type.Optional(
      Type.String({ maxLength: 2000, description: 'While a waiting room is on for the game: the admission it gave you (R6)' }),
    ),
  },
  { additionalProperties: false },
);
export type PlaceOrder = Static<typeof PlaceOrder>;

export const OrderView = Type.Object({
  id: Type.String(),
  gameId: Type.String(),
  title: Type.String(),
  kind: Type.Union([Type.Literal('preorder'), Type.Literal('purchase')]),
  status: OrderStatusSchema,
  price: Money,
  discount: Money,
  pointsUsed: Type.Integer(),
  paid: Money,
  pointsEarned: Type.Integer(),
  paymentMethod: Type.String(),
  paymentMethodName: Type.String({ description: 'The method as the receipt names it' }),
  releaseDate: Type.Union([Type.String(), Type.Null()], { description: 'The game’s release date: a pre-order downloads from then' }),
  approvalUrl: Type.Union([Type.String(), Type.Null()], { description: 'While pending with a wallet: where the buyer approves' }),
  approvalExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'While pending with a wallet: until when the buyer can approve',
  }),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  refunded: Type.Union([Money, Type.Null()]),
  refundable: Type.Boolean({ description: 'S1.11: whether “Request refund” is active' }),
  downloadable: Type.Boolean({ description: 'S1.15: released and owned' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type OrderView = Static<typeof OrderView>;

export const RefundPreview = Type.Object({
  refundable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  refund: Money,
  pointsReturned: Type.Integer(),
  pointsTakenBack: Type.Integer(),
  pointsShortfall: Type.Integer({ description: 'Earned points already spent: kept back from the money refunded' }),
});
export type RefundPreview = Static<typeof RefundPreview>;

export const DownloadLink = Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });

export const LibraryEntry = Type.Object({
  gameId: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  acquiredAt: Type.String({ format: 'date-time' }),
  source: Type.Union([Type.Literal('purchase'), Type.Literal('gift')], { description: 'Bought by you, or a gift you accepted (S2.11)' }),
  orderId: Type.Union([Type.String(), Type.Null()], { description: 'Your order; null for a gift (the order is the sender’s)' }),
  releaseDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  downloadable: Type.Boolean({ description: 'Released, and playable where you live' }),
});
export type LibraryEntry = Static<typeof LibraryEntry>;

/** One game in the cart, priced together with the others (a bundle counts the games bought with it). */
export const CartLineView = Type.Object({
  gameId: Type.String(),
  editionId: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  kind: Type.Union([Type.Literal('preorder'), Type.Literal('purchase')]),
  listPrice: Money,
  discountPercent: Type.Integer(),
  discount: Money,
  price: Money,
  promotions: CheckoutQuote.properties.promotions,
  offerEndsAt: Type.Union([Type.String(), Type.Null()]),
  quoteToken: Type.String({ description: 'Send it back with the checkout: this price holds until it expires (with the same cart)' }),
});
export type CartLineView = Static<typeof CartLineView>;

export const CartView = Type.Object({
  items: Type.Array(CartLineView, { description: 'The games the checkout would buy, each priced with the others' }),
  unavailable: Type.Array(Type.Object({ gameId: Type.String(), title: Type.String(), code: Type.String(), message: Type.String() }), {
    description: 'Games in the cart that cannot be bought now (owned meanwhile, not sold where you are…): remove them to check out',
  }),
  listTotal: Type.Union([Money, Type.Null()], { description: 'Null when the cart is empty or mixes currencies' }),
  total: Type.Union([Money, Type.Null()]),
  savings: Type.Union([Money, Type.Null()]),
  currencies: Type.Array(Type.String(), { description: 'The currencies of the games’ prices: one payment pays one' }),
  coupon: CheckoutQuote.properties.coupon,
  points: Type.Object({ balance: Type.Integer(), usable: Type.Integer({ description: 'At most the total' }) }),
  pointsEarnRatePercent: Type.Number(),
  paymentMethods: Type.Array(PaymentMethodView),
});
export type CartView = Static<typeof CartView>;

export const CartItems = Type.Object({
  gameIds: Type.Array(Type.String(), { description: 'The games in your cart, in the order they were added' }),
});

export const CartItemInput = Type.Object({ editionId: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false });

export const CartCheckout = Type.Object(
  {
    pointsToUse: Type.Integer({ minimum: 0 }),
    paymentMethod: Type.String({ maxLength: 40 }),
    coupon: Type.Optional(Type.String({ maxLength: 32 })),
    games: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: 50,
      description: 'The games you saw in the cart: if the cart holds others now, nothing is bought (409 cart_changed)',
    }),
    quoteTokens: Type.Optional(
      Type.Record(Type.String({ format: 'uuid' }), Type.String({ maxLength: 4000 }), {
        description: 'Per game, the quote token the cart showed: its price is honoured while valid',
      }),
    ),
    admissions: Type.Optional(
      Type.Record(Type.String({ format: 'uuid' }), Type.String({ maxLength: 2000 }), {
        description: 'Per game behind a waiting room: the admission it gave you (R6)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CartCheckout = Static<typeof CartCheckout>;

export const CheckoutView = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('cancelled')], {
    description: 'pending while it is being paid; paid (each game may later be refunded on its own); cancelled with the reason',
  }),
  total: Money,
  pointsUsed: Type.Integer(),
  paid: Money,
  paymentMethodName: Type.String(),
  approvalUrl: Type.Union([Type.String(), Type.Null()], { description: 'While pending with a wallet: where the buyer approves' }),
  approvalExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  orders: Type.Array(OrderView, { description: 'One order per game: each is refunded on its own' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type CheckoutView = Static<typeof CheckoutView>;
