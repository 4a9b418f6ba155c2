import { defineSaga, Refusal } from '../platform/saga.ts';
import { cancelOrder, confirmPaid } from '../orders/lifecycle.ts';
import {
  orderRow,
  chargePayment,
  earnPoints,
  redeemPromotions,
  reportCaptureWithoutOrder,
  returnPoints,
  spendPoints,
} from './checkout-steps.ts';
import type { FlowDeps } from './deps.ts';
import type { PreorderContext } from '../orders/sagas.ts';

/** The order row the saga places. */
const newOrder = (c: PreorderContext, now: Date) => orderRow(c, { id: c.orderId, userId: c.userId, country: c.storeCountry }, now);

/**
 * Pre-order (or purchase) of a game, S1.5–S1.11 (D1). Checks with no side effects — sign-in, region,
 * price and discount, ownership, payment method, point balance — run before the saga starts, in
 * orders/service.ts. Three steps: one local transaction places the order and spends the points; the PG charge is
 * the pivot; one local transaction records everything the payment earned. A failure after the pivot is retried,
 * never compensated.
 */
export function preorderGame(d: FlowDeps) {
  return defineSaga<PreorderContext>({
    name: 'preorder-game',
    subject: (c) => `order:${c.orderId}`,
    summary:
      'Pre-order (or buy) a game with points and a payment method of the buyer’s country. API: POST /api/orders (Idempotency-Key), then GET /api/orders/{id}.',
    steps: [
      {
        kind: 'compensable',
        local: true,
        name: 'place-order',
        call: 'orders + points + promotions: insert the pending order (one live order per user and game), spend the points used (ledger order:{id}:spend), count the promotion budgets and coupons its price used',
        run: async (c, tx) => {
          const now = d.clock.now();
          const created = await d.orders.insertPending(tx, newOrder(c, now), now);
          if (!created) throw new Refusal('already_owned', 'You already own this game or have an order of it in progress.');
          await redeemPromotions(d, tx, c, now);
          await spendPoints(d, tx, c);
          return { placedAt: now.toISOString() };
        },
        refused: async (c, failure, tx) => {
          await d.orders.insertRefused(tx, newOrder(c, d.clock.now()), failure, d.clock.now());
          await d.admission.release(tx, c.orderId);
        },
        compensation:
          'orders + points + promotions + waiting room: the order cancelled with the reason, the points the spend recorded returned (order:{id}:spend-undo), its budget and coupon uses and its admission given back',
        compensate: async (c, failure, tx) => {
          await returnPoints(d, tx, c);
          await d.promotions.release(tx, c.orderId);
          await d.admission.release(tx, c.orderId);
          await cancelOrder(d, tx, c.orderId, failure, d.clock.now());
        },
      },
      chargePayment<PreorderContext>(d, (c) => c, {
        call: 'PaymentGateway.createPayment (Idempotency-Key order:{id}:charge) → buyer approval for wallets → capture',
      }),
      {
        kind: 'retriable',
        local: true,
        name: 'confirm-order',
        // One transaction: an order shows as paid (and refundable) only with its points credited, so a refund can
        // always take back what the purchase earned.
        call: 'orders + points: mark paid, credit the earned points (order:{id}:earn), add to the purchase list, queue the confirmation mail',
        run: async (c, tx) => {
          const now = d.clock.now();
          const pointsEarned = d.points.earnedFor(c.paidMinor);
          const confirmed = await confirmPaid(
            d,
            tx,
            c.orderId,
            { payment_id: c.paymentId ?? null, points_earned: pointsEarned },
            { email: c.email, language: c.language ?? 'en', title: c.gameTitle },
            now,
          );
          if (confirmed === 'not_live') {
            await reportCaptureWithoutOrder(d, c);
            return { pointsEarned: 0 };
          }
          if (confirmed === 'confirmed') await earnPoints(d, tx, c);
          return { pointsEarned };
        },
      },
    ],
  });
}
