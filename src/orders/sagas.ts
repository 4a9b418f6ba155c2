/**
 * What the orders context hands to the sagas that pay for and refund its orders (src/flows/): their inputs, as
 * plain JSON (DBOS records them). Defined here, by the context that starts them, so that the flows depend on the
 * contexts they compose and never the other way round.
 */

/** What every checkout saga (pre-order, purchase, gift) knows about what is bought and how it is paid. */
export interface Purchase {
  idempotencyKey: string;
  gameId: string;
  editionId: string;
  gameTitle: string;
  kind: 'preorder' | 'purchase';
  currency: string;
  listMinor: number;
  discountMinor: number;
  priceMinor: number;
  pointsUsed: number;
  paidMinor: number;
  paymentMethod: string;
  /** The buyer's language, for their mails (absent in sagas started before it was kept: English). */
  language?: string;
  /** Promotions with a budget or a coupon in the price: counted in the placing step, given back if it is undone (R5). */
  redemptions?: { id: string; budget: number | null; couponCode?: string }[];
  /** The charge request's URLs, fixed when the saga starts (a retried request must be byte-identical). */
  returnUrl?: string;
  webhookUrl?: string;
  /** Set by the placing step: when the order was placed (store time, ISO). */
  placedAt?: string;
  paymentId?: string | null;
  pointsEarned?: number;
}

/** Everything the pre-order saga knows; each step adds what it learned. Plain JSON: DBOS records it. */
export interface PreorderContext extends Purchase {
  orderId: string;
  userId: string;
  email: string;
  storeCountry: string;
}

/** Everything the refund saga knows about the order it refunds. */
export interface RefundContext {
  orderId: string;
  userId: string;
  email: string;
  gameTitle: string;
  currency: string;
  paidMinor: number;
  pointsUsed: number;
  pointsEarned: number;
  paymentId: string | null;
  revoked?: number;
  shortfall?: number;
  refundedMinor?: number;
  /** The language of the mail that says it is done (the buyer's, or the gift's sender's). */
  language?: string;
  /** Set when the order paid for a gift that was declined, expired or cancelled (S2.12, S2.13). */
  gift?: { recipientName: string; outcome: 'declined' | 'expired' | 'cancelled' };
}

/** One game of a cart checkout: its own order, price, points and promotions, as a single purchase has. */
export interface CartLine {
  orderId: string;
  idempotencyKey: string;
  gameId: string;
  editionId: string;
  gameTitle: string;
  kind: 'preorder' | 'purchase';
  listMinor: number;
  discountMinor: number;
  priceMinor: number;
  /** This game's share of the points used (so a refund of this game returns exactly these). */
  pointsUsed: number;
  /** This game's share of the payment (what a refund of this game gives back). */
  paidMinor: number;
  redemptions?: Purchase['redemptions'];
}

/** Everything the cart checkout saga knows: several orders, one payment (the checkout id is its PG reference). */
export interface CartContext {
  checkoutId: string;
  userId: string;
  email: string;
  language?: string;
  storeCountry: string;
  currency: string;
  paymentMethod: string;
  /** The sums of the lines. */
  pointsUsed: number;
  paidMinor: number;
  lines: CartLine[];
  returnUrl?: string;
  webhookUrl?: string;
  placedAt?: string;
  paymentId?: string | null;
  pointsEarned?: number;
}
