import { defineSaga, Refusal } from '../platform/saga.ts';
import type { Timers } from '../platform/timers.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { GiftStore } from '../gifts/store.ts';
import type { GiftContext } from '../gifts/sagas.ts';
import { moveGift } from '../gifts/lifecycle.ts';
import { cancelOrder, confirmPaid } from '../orders/lifecycle.ts';
import {
  orderRow,
  chargePayment,
  earnPoints,
  redeemPromotions,
  reportCaptureWithoutOrder,
  returnPoints,
  spendPoints,
  type Payment,
} from './checkout-steps.ts';
import type { FlowDeps } from './deps.ts';

export interface GiftDeps extends FlowDeps {
  gifts: GiftStore;
  timers: Timers;
  notifications: NotificationService;
}

/** The gift's order, as the payment steps see it: the sender pays, back to the gift's page after approval. */
const paymentOf = (d: FlowDeps, c: GiftContext): Payment => ({
  ...c,
  orderId: c.giftId,
  userId: c.senderId,
  returnUrl: c.returnUrl ?? `${d.publicUrl}/gifts/${c.giftId}`,
});

/** The gift's order (the sender's, marked as a gift) and the gift itself, as the saga places them. */
const giftOrder = (c: GiftContext, now: Date) => ({
  ...orderRow(c, { id: c.giftId, userId: c.senderId, country: c.senderCountry }, now),
  gift: true,
});
const newGift = (c: GiftContext, now: Date) => ({
  id: c.giftId,
  sender_id: c.senderId,
  recipient_id: c.recipientId,
  game_id: c.gameId,
  game_title: c.gameTitle,
  game_titles: c.gameTitles ?? {},
  message: c.message,
  deliver_at: new Date(c.deliverAt),
  sender_country: c.senderCountry,
  recipient_country: c.recipientCountry,
  recipient_time_zone: c.recipientTimeZone,
  created_at: now,
});

/**
 * Buy a game as a gift, S2.1–S2.9 (D1). The same shape as the pre-order saga — the gift and its order are
 * created, points spent, the PG charge is the pivot, then points are credited and the gift scheduled — but
 * the game goes to nobody's library yet. What follows is driven by durable timers (gifts/lifecycle.ts),
 * written in the same transaction as the change that needs them:
 *
 *   confirm-gift ──▶ timer gift-deliver:<id> at the chosen time ──▶ deliver: notification + mail (S2.10)
 *                     └─▶ timer gift-expire:<id> 30 days later ──▶ expire → refund (S2.13)
 *   recipient accepts ──▶ library (S2.11) · declines ──▶ refund (S2.12) · sender cancels a scheduled gift ──▶ refund
 *
 * A refund is the refund-order saga, started through a timer due at once (id refund-order:<orderId>), so a
 * crash between the decision and the start loses nothing and cannot start it twice.
 */
export function sendGift(d: GiftDeps) {
  return defineSaga<GiftContext>({
    name: 'send-gift',
    subject: (c) => `order:${c.giftId}`,
    summary:
      'Buy a game as a gift for a friend, delivered now or at a chosen time, with a message. API: POST /api/gifts (Idempotency-Key), then GET /api/gifts/{id}. Delivery, the 30-day limit and refunds follow on durable timers.',
    steps: [
      {
        kind: 'compensable',
        local: true,
        name: 'place-gift',
        call: 'orders + gifts + points + promotions: insert the pending gift order and the gift (one gift of a game on its way per recipient), count the promotion budgets and coupons its price used, spend the points used (order:{id}:spend)',
        run: async (c, tx) => {
          const now = d.clock.now();
          const created = await d.orders.insertPending(tx, giftOrder(c, now), now);
          if (!created) throw new Refusal('order_conflict', 'This gift’s order could not be created.');
          const inserted = await d.gifts.insert(tx, newGift(c, now));
          if (!inserted) throw new Refusal('gift_pending', `${c.recipientName} already has ${c.gameTitle} on its way as a gift.`);
          await redeemPromotions(d, tx, { ...c, orderId: c.giftId, userId: c.senderId }, now);
          await spendPoints(d, tx, paymentOf(d, c));
          return { placedAt: now.toISOString() };
        },
        refused: async (c, failure, tx) => {
          const now = d.clock.now();
          await d.orders.insertRefused(tx, giftOrder(c, now), failure, now);
          await d.gifts.insertRefused(tx, newGift(c, now));
          await d.admission.release(tx, c.giftId);
        },
        compensation:
          'orders + gifts + points + promotions + waiting room: order cancelled, gift payment_failed, with the reason; the points the spend recorded returned; its budget and coupon uses and its admission given back',
        compensate: async (c, failure, tx) => {
          const now = d.clock.now();
          await returnPoints(d, tx, paymentOf(d, c));
          await d.promotions.release(tx, c.giftId);
          await d.admission.release(tx, c.giftId);
          await cancelOrder(d, tx, c.giftId, failure, now);
          await moveGift(d, tx, c.giftId, 'paying', 'payment_failed', { settled_at: now }, now);
        },
      },
      chargePayment<GiftContext>(d, (c) => paymentOf(d, c), {
        call: 'PaymentGateway.createPayment (Idempotency-Key order:{id}:charge) with a method of the sender’s country (S2.8, S2.9) → approval → capture',
      }),
      {
        kind: 'retriable',
        local: true,
        name: 'confirm-gift',
        call: 'orders + gifts + points + timers: order paid, earned points credited, mail to the sender; a gift sent now is delivered at once (notification, mail, 30-day timer), a later one gets its delivery timer gift-deliver:{id}',
        run: async (c, tx) => {
          const now = d.clock.now();
          const pointsEarned = d.points.earnedFor(c.paidMinor);
          // The sender hears from the gift's lifecycle (entering scheduled), not from the order's.
          const confirmed = await confirmPaid(
            d,
            tx,
            c.giftId,
            { payment_id: c.paymentId ?? null, points_earned: pointsEarned },
            undefined,
            now,
          );
          if (confirmed === 'not_live') {
            await reportCaptureWithoutOrder(d, paymentOf(d, c));
            return { pointsEarned: 0 };
          }
          if (confirmed === 'confirmed') {
            await earnPoints(d, tx, paymentOf(d, c));
            await moveGift(d, tx, c.giftId, 'paying', 'scheduled', {}, now);
          }
          return { pointsEarned };
        },
      },
    ],
  });
}
