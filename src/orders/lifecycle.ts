import type { Tx } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import { machinePer, StateMachine } from '../platform/state-machine.ts';
import type { RefundContext } from './sagas.ts';
import { orderConfirmedMail, refundedMail } from './mail.ts';
import { ORDER_MOVES, type OrderStatus } from './state.ts';
import type { OrderStore } from './store.ts';

/**
 * An order's life, as a state machine whose moves carry their side effects in the transaction of the move (the
 * sagas in src/flows decide when to move; what a move does is here, once):
 *
 *   pending ──▶ paid: the game enters the buyer's library (a gift's enters the recipient's when they accept),
 *                     order.paid is published, the buyer gets the confirmation mail (a gift's sender hears from the
 *                     gift's lifecycle instead, gifts/lifecycle.ts)
 *   pending ──▶ cancelled (the saga compensated, or the order was refused)
 *   paid ──▶ refund_pending ──▶ refunded: the game leaves the library, order.refunded, the refund mail
 *                          └──▶ paid again when the refund failed: nothing is announced twice, the attempt is counted
 */
export interface OrderLifecycleDeps {
  orders: OrderStore;
  publicUrl: string;
}

/** Who hears about a move, in which language, and the game's title in it: the buyer (or a gift's sender). */
export interface Tell {
  email: string;
  language: string;
  title: string;
}

interface Move {
  orderId: string;
  now: Date;
  tell?: Tell;
  /** A refund: the earned points it took back, and the gift it ends (S2.12, S2.13). */
  refund?: { earnedTakenBack: number; gift?: RefundContext['gift'] };
}

const machineOf = machinePer((d: OrderLifecycleDeps) =>
  new StateMachine<OrderStatus, Move>('order', ORDER_MOVES)
    .onMove('pending', 'paid', (tx, c) => paid(d, tx, c))
    .onEnter('refunded', (tx, c) => refunded(d, tx, c)),
);

/**
 * Payment done: pending → paid with what the purchase earned. `not_live` when the order was cancelled meanwhile
 * (the caller reports the capture), `already` for a re-run after an earlier confirmation (nothing happens again).
 */
export async function confirmPaid(
  d: OrderLifecycleDeps,
  tx: Tx,
  orderId: string,
  patch: { payment_id: string | null; points_earned: number },
  tell: Tell | undefined,
  now: Date,
): Promise<'confirmed' | 'not_live' | 'already'> {
  const order = await d.orders.lock(tx, orderId);
  if (!order) throw new Error(`order ${orderId} does not exist`);
  if (order.status === 'cancelled') return 'not_live';
  if (order.status !== 'pending') return 'already';
  await machineOf(d).move(tx, 'pending', 'paid', { orderId, now, tell }, () => d.orders.move(tx, orderId, 'pending', 'paid', patch, now));
  return 'confirmed';
}

/** The saga compensated before the payment: pending → cancelled with the reason the buyer sees. */
export async function cancelOrder(d: OrderLifecycleDeps, tx: Tx, orderId: string, failure: { code: string; message: string }, now: Date) {
  await machineOf(d).move(tx, 'pending', 'cancelled', { orderId, now }, () =>
    d.orders.move(tx, orderId, 'pending', 'cancelled', { failure_code: failure.code, failure_message: failure.message }, now),
  );
}

/** paid → refund_pending; `already` when it is refund_pending already (a re-run), false when it is not paid. */
export async function beginRefund(d: OrderLifecycleDeps, tx: Tx, orderId: string, now: Date): Promise<boolean | 'already'> {
  if (
    await machineOf(d).move(tx, 'paid', 'refund_pending', { orderId, now }, () =>
      d.orders.move(tx, orderId, 'paid', 'refund_pending', {}, now),
    )
  )
    return true;
  return (await d.orders.lock(tx, orderId))?.status === 'refund_pending' ? 'already' : false;
}

/** The refund attempt failed: paid again, and the next request starts a new attempt (a new saga). */
export async function restorePaid(d: OrderLifecycleDeps, tx: Tx, orderId: string, now: Date): Promise<boolean> {
  return machineOf(d).move(tx, 'refund_pending', 'paid', { orderId, now }, () =>
    d.orders.move(tx, orderId, 'refund_pending', 'paid', {}, now, 'refund_attempts'),
  );
}

/** Refund done: refund_pending → refunded with what was refunded; a re-run changes nothing. */
export async function closeRefund(
  d: OrderLifecycleDeps,
  tx: Tx,
  orderId: string,
  patch: { refunded_minor: number; refund_points_shortfall: number },
  tell: Tell,
  refund: NonNullable<Move['refund']>,
  now: Date,
): Promise<void> {
  const order = await d.orders.lock(tx, orderId);
  if (order?.status !== 'refund_pending') return;
  await machineOf(d).move(tx, 'refund_pending', 'refunded', { orderId, now, tell, refund }, () =>
    d.orders.move(tx, orderId, 'refund_pending', 'refunded', patch, now),
  );
}

/** pending → paid: the library (not for a gift), order.paid, the buyer's confirmation (not for a gift). */
async function paid(d: OrderLifecycleDeps, tx: Tx, { orderId, now, tell }: Move): Promise<void> {
  const o = (await d.orders.lock(tx, orderId))!;
  await publish(
    tx,
    'order.paid',
    {
      orderId,
      userId: o.user_id,
      gameId: o.game_id,
      kind: o.kind,
      gift: o.gift,
      currency: o.currency,
      paidMinor: o.paid_minor,
      pointsUsed: o.points_used,
      country: o.store_country,
    },
    now,
  );
  if (o.gift) return;
  await d.orders.grant(tx, { user_id: o.user_id, game_id: o.game_id, order_id: orderId, acquired_at: now }, o.kind);
  if (tell)
    await enqueueMail(
      tx,
      {
        to: tell.email,
        dedupeKey: `order:${orderId}:confirmation`,
        ...orderConfirmedMail(tell.language, {
          kind: o.kind,
          title: tell.title,
          paid: { amountMinor: o.paid_minor, currency: o.currency },
          pointsUsed: o.points_used,
          pointsEarned: o.points_earned,
          publicUrl: d.publicUrl,
        }),
      },
      now,
    );
}

/** Entering refunded: the game leaves the library, order.refunded, and the buyer (or the gift's sender) is told. */
async function refunded(d: OrderLifecycleDeps, tx: Tx, { orderId, now, tell, refund }: Move): Promise<void> {
  const o = (await d.orders.lock(tx, orderId))!;
  await d.orders.revoke(tx, orderId, now);
  const refundedMinor = o.refunded_minor ?? 0;
  await publish(tx, 'order.refunded', { orderId, userId: o.user_id, gameId: o.game_id, currency: o.currency, refundedMinor }, now);
  if (tell)
    await enqueueMail(
      tx,
      {
        to: tell.email,
        dedupeKey: `order:${orderId}:refunded`,
        ...refundedMail(tell.language, {
          title: tell.title,
          refunded: { amountMinor: refundedMinor, currency: o.currency },
          pointsReturned: o.points_used,
          earnedTakenBack: refund?.earnedTakenBack ?? 0,
          shortfall: o.refund_points_shortfall ?? undefined,
          gift: refund?.gift,
        }),
      },
      now,
    );
}
