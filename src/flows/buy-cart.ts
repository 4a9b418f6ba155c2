import { defineSaga, Refusal } from '../platform/saga.ts';
import type { Tx } from '../platform/db/tx.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import { cancelOrder, confirmPaid } from '../orders/lifecycle.ts';
import { orderConfirmedMail } from '../orders/mail.ts';
import type { NewOrder } from '../orders/store.ts';
import type { CartContext, CartLine } from '../orders/sagas.ts';
import {
  chargePayment,
  earnPoints,
  redeemPromotions,
  reportCaptureWithoutOrder,
  returnPoints,
  spendPoints,
  type Payment,
} from './checkout-steps.ts';
import type { FlowDeps } from './deps.ts';

/** The pending order of one line of the cart. */
const lineOrder = (c: CartContext, l: CartLine, now: Date): NewOrder => ({
  id: l.orderId,
  user_id: c.userId,
  idempotency_key: l.idempotencyKey,
  game_id: l.gameId,
  edition_id: l.editionId,
  kind: l.kind,
  currency: c.currency,
  list_minor: l.listMinor,
  discount_minor: l.discountMinor,
  price_minor: l.priceMinor,
  points_used: l.pointsUsed,
  paid_minor: l.paidMinor,
  payment_method: c.paymentMethod,
  store_country: c.storeCountry,
  checkout_id: c.checkoutId,
  created_at: now,
});

/** A line as the shared payment steps see one order: its own points and its share of the money. */
const linePayment = (c: CartContext, l: CartLine): Payment => ({
  orderId: l.orderId,
  userId: c.userId,
  paymentMethod: c.paymentMethod,
  currency: c.currency,
  paidMinor: l.paidMinor,
  pointsUsed: l.pointsUsed,
});

/** The one receipt of a cart: every title, the total paid, the points used and earned. */
async function mailReceipt(d: FlowDeps, tx: Tx, c: CartContext, pointsEarned: number, now: Date): Promise<void> {
  const language = c.language ?? 'en';
  const titles = new Intl.ListFormat(language, { type: 'conjunction' }).format(c.lines.map((l) => l.gameTitle));
  await enqueueMail(
    tx,
    {
      to: c.email,
      dedupeKey: `checkout:${c.checkoutId}:confirmation`,
      ...orderConfirmedMail(language, {
        kind: c.lines.every((l) => l.kind === 'preorder') ? 'preorder' : 'purchase',
        title: titles,
        paid: { amountMinor: c.paidMinor, currency: c.currency },
        pointsUsed: c.pointsUsed,
        pointsEarned,
        publicUrl: d.publicUrl,
      }),
    },
    now,
  );
}

/**
 * A cart bought in one checkout (R5: "buy these 2, 15 % off each" as one purchase). The same three steps as a single
 * purchase (preorder-game.ts), over several orders and one payment: one local transaction places every game's
 * order, spends each one's points and counts its promotions — all or none; the PG charge of the total is the pivot
 * (the checkout id is its order reference); one local transaction marks every order paid, credits each one's points,
 * takes the games out of the cart and queues one receipt. Each game stays its own order, so it is refunded on its
 * own (its share of the payment, a partial refund at the PG: refund-order.ts).
 */
export function buyCart(d: FlowDeps) {
  return defineSaga<CartContext>({
    name: 'buy-cart',
    subject: (c) => `checkout:${c.checkoutId}`,
    summary:
      'Buy the games of the cart with one payment (points and a payment method of the buyer’s country). API: POST /api/cart/checkout (Idempotency-Key), then GET /api/checkouts/{id}.',
    steps: [
      {
        kind: 'compensable',
        local: true,
        name: 'place-orders',
        call: 'orders + points + promotions: insert one pending order per game of the cart (checkout {id}; one live order per user and game), spend each order’s points (order:{order}:spend), count the budgets and coupons each price used',
        run: async (c, tx) => {
          const now = d.clock.now();
          for (const l of c.lines) {
            if (!(await d.orders.insertPending(tx, lineOrder(c, l, now), now)))
              throw new Refusal('already_owned', 'You already own this game or have an order of it in progress.');
            await redeemPromotions(d, tx, { orderId: l.orderId, userId: c.userId, redemptions: l.redemptions }, now);
            await spendPoints(d, tx, linePayment(c, l));
          }
          return { placedAt: now.toISOString() };
        },
        refused: async (c, failure, tx) => {
          const now = d.clock.now();
          for (const l of c.lines) {
            await d.orders.insertRefused(tx, lineOrder(c, l, now), failure, now);
            await d.admission.release(tx, l.orderId);
          }
        },
        compensation:
          'orders + points + promotions + waiting room: every order of the checkout cancelled with the reason, the points each spend recorded returned (order:{order}:spend-undo), budget and coupon uses and admissions given back',
        compensate: async (c, failure, tx) => {
          for (const l of c.lines) {
            await returnPoints(d, tx, linePayment(c, l));
            await d.promotions.release(tx, l.orderId);
            await d.admission.release(tx, l.orderId);
            await cancelOrder(d, tx, l.orderId, failure, d.clock.now());
          }
        },
      },
      chargePayment<CartContext>(d, (c) => ({ ...c, orderId: c.checkoutId }), {
        call: 'PaymentGateway.createPayment of the total (order reference and Idempotency-Key checkout:{id}) → buyer approval for wallets → capture',
      }),
      {
        kind: 'retriable',
        local: true,
        name: 'confirm-orders',
        call: 'orders + points: mark every order paid, credit each one’s earned points (order:{order}:earn), add the games to the purchase list and take them out of the cart, queue one receipt',
        run: async (c, tx) => {
          const now = d.clock.now();
          let pointsEarned = 0;
          const confirmed: string[] = [];
          for (const l of c.lines) {
            const earned = d.points.earnedFor(l.paidMinor);
            const outcome = await confirmPaid(d, tx, l.orderId, { payment_id: c.paymentId ?? null, points_earned: earned }, undefined, now);
            if (outcome === 'not_live') {
              await reportCaptureWithoutOrder(d, {
                orderId: l.orderId,
                paymentId: c.paymentId,
                paidMinor: l.paidMinor,
                currency: c.currency,
              });
              continue;
            }
            if (outcome === 'confirmed') {
              await earnPoints(d, tx, linePayment(c, l));
              confirmed.push(l.gameId);
            }
            pointsEarned += earned;
          }
          await d.orders.clearCart(tx, c.userId, confirmed);
          if (confirmed.length) await mailReceipt(d, tx, c, pointsEarned, now);
          return { pointsEarned };
        },
      },
    ],
  });
}
