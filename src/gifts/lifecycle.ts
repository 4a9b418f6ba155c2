import type { Tx } from '../platform/db/tx.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import type { Timers } from '../platform/timers.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { RefundContext } from '../orders/sagas.ts';
import { giftTitle, type GiftStore } from './store.ts';
import { giftDeliveredMail } from './mail.ts';
import { ANSWER_WITHIN_MS, type GiftState } from './state.ts';

/**
 * A gift's life after it is paid (the send-gift saga, src/flows/send-gift.ts, pays for it): durable timers written
 * in the same transaction as the change that needs them, and the answers that settle it.
 *
 *   paid ──▶ timer gift-deliver:<id> at the chosen time ──▶ delivered: notification + mail (S2.10)
 *              └─▶ timer gift-expire:<id> 30 days later ──▶ expired → refund (S2.13)
 *   recipient accepts ──▶ library (S2.11) · declines ──▶ refund (S2.12) · sender cancels a scheduled gift ──▶ refund
 *
 * A refund is the refund-order saga, started through a timer due at once (id refund-order:<orderId>), so a crash
 * between the decision and the start loses nothing and cannot start it twice.
 */
export interface GiftLifecycleDeps {
  gifts: GiftStore;
  timers: Timers;
  notifications: NotificationService;
  publicUrl: string;
}

/** Timer names and ids: one delivery and one 30-day limit per gift, ever. */
export const GIFT_TIMERS = {
  deliver: { handler: 'gift-deliver', id: (giftId: string) => `gift-deliver:${giftId}` },
  expire: { handler: 'gift-expire', id: (giftId: string) => `gift-expire:${giftId}` },
  refund: { handler: 'refund-order', id: (orderId: string) => `refund-order:${orderId}` },
} as const;

/** Timer gift-deliver: the gift arrives (unless the sender cancelled it first) and its 30 days start (S2.7, S2.10). */
export async function deliverGift(d: GiftLifecycleDeps, tx: Tx, giftId: string, now: Date): Promise<void> {
  const g = await d.gifts.lock(tx, giftId);
  if (g?.state !== 'scheduled') return; // cancelled by the sender before it arrived
  const expiresAt = new Date(now.getTime() + ANSWER_WITHIN_MS);
  await d.gifts.move(tx, giftId, 'scheduled', 'delivered', { delivered_at: now, expires_at: expiresAt }, now);
  const { sender, recipient } = await d.gifts.people(g.sender_id, g.recipient_id);
  await d.notifications.notify(
    g.recipient_id,
    'gift_received',
    {
      giftId,
      from: { id: sender.id, name: sender.name },
      game: { id: g.game_id, title: giftTitle(g, recipient.language) },
      message: g.message,
      expiresAt: expiresAt.toISOString(),
    },
    tx,
  );
  await enqueueMail(
    tx,
    {
      to: recipient.email,
      dedupeKey: `gift:${giftId}:delivered`,
      ...giftDeliveredMail(recipient.language, {
        title: giftTitle(g, recipient.language),
        senderName: sender.name,
        message: g.message,
        link: `${d.publicUrl}/gifts/${giftId}`,
        expiresAt,
        timeZone: recipient.time_zone,
      }),
    },
    now,
  );
  await d.timers.schedule(tx, {
    id: GIFT_TIMERS.expire.id(giftId),
    handler: GIFT_TIMERS.expire.handler,
    input: { giftId },
    dueAt: expiresAt,
  });
}

/** Timer gift-expire: 30 days without an answer → the gift is refunded to the sender (S2.13). */
export async function expireGift(d: GiftLifecycleDeps, tx: Tx, giftId: string, now: Date): Promise<void> {
  const g = await d.gifts.lock(tx, giftId);
  if (g?.state !== 'delivered' || !g.expires_at || g.expires_at > now) return; // answered in time
  await settleWithRefund(d, tx, g.id, 'delivered', 'expired', now);
}

/**
 * Declined, expired or cancelled: the gift moves (if it still is in `from`), and in the same transaction the
 * refund of its order is scheduled at once and the sender told. False when the gift had already moved.
 */
export async function settleWithRefund(
  d: GiftLifecycleDeps,
  tx: Tx,
  giftId: string,
  from: GiftState,
  to: 'declined' | 'expired' | 'cancelled',
  now: Date,
): Promise<boolean> {
  if (!(await d.gifts.move(tx, giftId, from, to, { settled_at: now }, now))) return false;
  const { gift, order, sender, recipient } = await d.gifts.settling(tx, giftId);
  const input: RefundContext = {
    orderId: giftId,
    userId: gift.sender_id,
    email: sender.email,
    language: sender.language,
    gameTitle: gift.game_title,
    currency: order.currency,
    paidMinor: order.paid_minor,
    pointsUsed: order.points_used,
    pointsEarned: order.points_earned,
    paymentId: order.payment_id,
    gift: { recipientName: recipient.name, outcome: to },
  };
  await d.timers.schedule(tx, { id: GIFT_TIMERS.refund.id(giftId), handler: GIFT_TIMERS.refund.handler, input, dueAt: now });
  if (to !== 'cancelled')
    await d.notifications.notify(
      gift.sender_id,
      `gift_${to}`,
      { giftId, to: { name: recipient.name }, game: { title: gift.game_title } },
      tx,
    );
  return true;
}
