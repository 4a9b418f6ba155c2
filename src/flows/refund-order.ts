import { defineSaga, Refusal } from '../platform/saga.ts';
import { beginRefund, closeRefund, restorePaid } from '../orders/lifecycle.ts';
import type { FlowDeps } from './deps.ts';
import type { RefundContext } from '../orders/sagas.ts';

/**
 * Refund of a pre-order or purchase, S1.12–S1.14 (D1), in three steps like the checkout: one local transaction
 * moves the order to refund_pending and takes back the earned points; the PG refund is the pivot; one local
 * transaction returns the points used and closes the order. Earned points are taken back before the pivot; if
 * some were already spent, that many minor units (1 point = 1 minor unit) are kept back from the money refunded —
 * the refund preview tells the user before they confirm — so points earned by a purchase can never outlive its
 * refund, and no balance goes negative.
 */
export function refundOrder(d: FlowDeps) {
  return defineSaga<RefundContext>({
    name: 'refund-order',
    subject: (c) => `order:${c.orderId}`,
    summary:
      'Refund an order: cancel the pre-order and the payment together. API: POST /api/orders/{id}/refund (200 when done, 202 while the PG is still at it); a second request follows the same attempt; an attempt that was refused puts the order back to paid, and the next request is a new attempt (saga id refund-order:{id}:{attempt}).',
    steps: [
      {
        kind: 'compensable',
        local: true,
        name: 'begin-refund',
        call: 'orders + points: paid → refund_pending (hides the download, blocks a second refund) and take back the points the purchase earned (order:{id}:revoke), reporting any already spent',
        run: async (c, tx) => {
          if (!(await beginRefund(d, tx, c.orderId, d.clock.now())))
            throw new Refusal('not_refundable', 'This order is not paid, so it cannot be refunded.');
          const { revoked, shortfall } = await d.points.revokeEarned(tx, c.userId, c.currency, c.pointsEarned, `order:${c.orderId}:revoke`);
          return { revoked, shortfall };
        },
        compensation: 'orders + points: give back what the take-back recorded (order:{id}:revoke-undo), refund_pending → paid',
        compensate: async (c, _failure, tx) => {
          await d.points.undo(`order:${c.orderId}:revoke`, `order:${c.orderId}:revoke-undo`, tx);
          await restorePaid(d, tx, c.orderId, d.clock.now());
        },
      },
      {
        kind: 'pivot',
        name: 'refund-payment',
        call: 'PaymentGateway.refund(paid − shortfall) (Idempotency-Key order:{id}:refund)',
        run: async (c) => {
          const amount = c.paidMinor - (c.shortfall ?? 0);
          if (!c.paymentId || amount <= 0) return { refundedMinor: 0 };
          await d.gateway.refund(c.paymentId, amount, `order:${c.orderId}:refund`);
          return { refundedMinor: amount };
        },
      },
      {
        kind: 'retriable',
        local: true,
        name: 'close-refund',
        // One transaction: an order shows refunded only with everything it took back.
        call: 'orders + points: return the points used to pay (order:{id}:return), refund_pending → refunded, remove from the purchase list, queue the mail',
        run: async (c, tx) => {
          await d.points.returnSpent(c.userId, c.currency, c.pointsUsed, `order:${c.orderId}:return`, tx);
          await closeRefund(
            d,
            tx,
            c.orderId,
            { refunded_minor: c.refundedMinor ?? 0, refund_points_shortfall: c.shortfall ?? 0 },
            { email: c.email, language: c.language ?? 'en', title: c.gameTitle },
            { earnedTakenBack: c.revoked ?? 0, gift: c.gift },
            d.clock.now(),
          );
        },
      },
    ],
  });
}
