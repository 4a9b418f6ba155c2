import type { Updateable } from 'kysely';
import type { Tx } from '../platform/db/tx.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import { machinePer, StateMachine } from '../platform/state-machine.ts';
import type { Timers } from '../platform/timers.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { RefundContext } from '../orders/sagas.ts';
import { giftTitle, type GiftStore, type GiftsTable } from './store.ts';
import { giftAcceptedMail, giftDeliveredMail, giftPaidMail } from './mail.ts';
import { ANSWER_WITHIN_MS, GIFT_MOVES, type GiftState } from './state.ts';

/**
 * A gift's life after it is paid (the send-gift saga, src/flows/send-gift.ts, pays for it), as a state machine whose
 * moves carry their side effects, in the transaction of the move:
 *
 *   paying ──▶ scheduled (paid): mail to the sender; delivered at once if sent now, else timer gift-deliver:<id>
 *   scheduled ──▶ delivered at the chosen time: notification + mail to the recipient, 30-day timer (S2.10)
 *   delivered ──▶ accepted: the sender is told (S2.11) · declined (S2.12) · expired after 30 days (S2.13) ──▶ refund
 *   scheduled ──▶ cancelled by the sender ──▶ refund
 *
 * A refund is the refund-order saga, started through a timer due at once (id refund-order:<orderId>), so a crash
 * between the decision and the start loses nothing and cannot start it twice. Which move is allowed: gifts/state.ts.
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

interface Move {
  giftId: string;
  now: Date;
}

/** The machine of one set of dependencies (the module's, the saga's): built once, its hooks added once. */
const machineOf = machinePer((d: GiftLifecycleDeps) =>
  new StateMachine<GiftState, Move>('gift', GIFT_MOVES)
    .onMove('paying', 'scheduled', (tx, c) => paid(d, tx, c))
    .onEnter('delivered', (tx, c) => delivered(d, tx, c))
    .onEnter('accepted', (tx, c) => accepted(d, tx, c))
    .onEnter('declined', (tx, c) => refunded(d, tx, c, 'declined'))
    .onEnter('expired', (tx, c) => refunded(d, tx, c, 'expired'))
    .onEnter('cancelled', (tx, c) => refunded(d, tx, c, 'cancelled')),
);

/** Moves the gift if it is still in `from` (false if another move won first), with what entering `to` does. */
export function moveGift(
  d: GiftLifecycleDeps,
  tx: Tx,
  giftId: string,
  from: GiftState,
  to: GiftState,
  patch: Omit<Updateable<GiftsTable>, 'id' | 'state'>,
  now: Date,
): Promise<boolean> {
  return machineOf(d).move(tx, from, to, { giftId, now }, () => d.gifts.move(tx, giftId, from, to, patch, now));
}

/** Timer gift-deliver: the gift arrives (unless the sender cancelled it first) and its 30 days start (S2.7, S2.10). */
export async function deliverGift(d: GiftLifecycleDeps, tx: Tx, giftId: string, now: Date): Promise<void> {
  const g = await d.gifts.lock(tx, giftId);
  if (g?.state !== 'scheduled') return; // cancelled by the sender before it arrived
  await moveGift(
    d,
    tx,
    giftId,
    'scheduled',
    'delivered',
    { delivered_at: now, expires_at: new Date(now.getTime() + ANSWER_WITHIN_MS) },
    now,
  );
}

/** Timer gift-expire: 30 days without an answer → the gift is refunded to the sender (S2.13). */
export async function expireGift(d: GiftLifecycleDeps, tx: Tx, giftId: string, now: Date): Promise<void> {
  const g = await d.gifts.lock(tx, giftId);
  if (g?.state !== 'delivered' || !g.expires_at || g.expires_at > now) return; // answered in time
  await moveGift(d, tx, g.id, 'delivered', 'expired', { settled_at: now }, now);
}

/**
 * Paid (paying → scheduled): the sender's mail (S2.8, S2.9), and the delivery — at once when the gift was sent
 * "now", in this same transaction so nobody ever sees it scheduled (with a Cancel button), else on its timer.
 */
async function paid(d: GiftLifecycleDeps, tx: Tx, { giftId, now }: Move): Promise<void> {
  const { gift, order, sender, recipient } = await d.gifts.settling(tx, giftId);
  const later = gift.deliver_at > now;
  await enqueueMail(
    tx,
    {
      to: sender.email,
      dedupeKey: `gift:${giftId}:paid`,
      ...giftPaidMail(sender.language, {
        title: giftTitle(gift, sender.language),
        recipientName: recipient.name,
        arrivesAt: later ? { at: gift.deliver_at, timeZone: recipient.time_zone } : undefined,
        paid: { amountMinor: order.paid_minor, currency: order.currency },
        pointsUsed: order.points_used,
        pointsEarned: order.points_earned,
        publicUrl: d.publicUrl,
      }),
    },
    now,
  );
  if (!later) return void (await deliverGift(d, tx, giftId, now));
  await d.timers.schedule(tx, {
    id: GIFT_TIMERS.deliver.id(giftId),
    handler: GIFT_TIMERS.deliver.handler,
    input: { giftId },
    dueAt: gift.deliver_at,
  });
}

/** Entering delivered: the recipient is told in the app and by mail, in their language, and the 30 days start. */
async function delivered(d: GiftLifecycleDeps, tx: Tx, { giftId, now }: Move): Promise<void> {
  const g = (await d.gifts.lock(tx, giftId))!;
  const expiresAt = g.expires_at!;
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

/** Entering accepted (the game is already in the recipient's library): the 30 days stop, the sender is told. */
async function accepted(d: GiftLifecycleDeps, tx: Tx, { giftId, now }: Move): Promise<void> {
  const g = (await d.gifts.lock(tx, giftId))!;
  await d.timers.cancel(tx, GIFT_TIMERS.expire.id(giftId));
  const { sender, recipient } = await d.gifts.people(g.sender_id, g.recipient_id);
  const title = giftTitle(g, sender.language);
  await d.notifications.notify(g.sender_id, 'gift_accepted', { giftId, to: { name: recipient.name }, game: { title } }, tx);
  await enqueueMail(
    tx,
    {
      to: sender.email,
      dedupeKey: `gift:${giftId}:accepted`,
      ...giftAcceptedMail(sender.language, { title, recipientName: recipient.name }),
    },
    now,
  );
}

/**
 * Entering declined, expired or cancelled: the gift's timers stop, the refund of its order is scheduled at once and
 * the sender told (not for their own cancel).
 */
async function refunded(d: GiftLifecycleDeps, tx: Tx, { giftId, now }: Move, outcome: 'declined' | 'expired' | 'cancelled'): Promise<void> {
  await d.timers.cancel(tx, outcome === 'cancelled' ? GIFT_TIMERS.deliver.id(giftId) : GIFT_TIMERS.expire.id(giftId));
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
    gift: { recipientName: recipient.name, outcome },
  };
  await d.timers.schedule(tx, { id: GIFT_TIMERS.refund.id(giftId), handler: GIFT_TIMERS.refund.handler, input, dueAt: now });
  if (outcome !== 'cancelled')
    await d.notifications.notify(
      gift.sender_id,
      `gift_${outcome}`,
      { giftId, to: { name: recipient.name }, game: { title: gift.game_title } },
      tx,
    );
}
