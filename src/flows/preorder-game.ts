import { defineSaga, Refusal } from '../platform/saga.ts';
import { formatMoney } from '../platform/money.ts';
import { paymentSteps, reportCaptureWithoutOrder } from './checkout-steps.ts';
import type { FlowDeps } from './deps.ts';

/** Everything the pre-order saga knows; each step adds what it learned. Plain JSON: DBOS records it. */
export interface PreorderContext {
  orderId: string;
  idempotencyKey: string;
  userId: string;
  email: string;
  storeCountry: string;
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
  /** The charge request's URLs, fixed when the saga starts (a retried request must be byte-identical). */
  returnUrl?: string;
  webhookUrl?: string;
  paymentId?: string | null;
  pointsEarned?: number;
}

/**
 * Pre-order (or purchase) of a game, S1.5–S1.11 (D1). Checks with no side effects — sign-in, region,
 * price and discount, ownership, payment method, point balance — run before the saga starts, in
 * orders/service.ts. The cheap local steps come first, the PG charge is the pivot, and everything after it
 * only records what already happened, so a failure after the pivot is retried, never compensated.
 */
export function preorderGame(d: FlowDeps) {
  return defineSaga<PreorderContext>({
    name: 'preorder-game',
    subject: (c) => `order:${c.orderId}`,
    summary: 'Pre-order (or buy) a game with points and a payment method of the buyer’s country. API: POST /api/orders (Idempotency-Key), then GET /api/orders/{id}.',
    steps: [
      {
        kind: 'compensable',
        name: 'create-order',
        call: 'orders: insert pending order (unique per user and game)',
        run: async (c) => {
          const created = await d.orders.insertPending(
            {
              id: c.orderId,
              user_id: c.userId,
              idempotency_key: c.idempotencyKey,
              game_id: c.gameId,
              edition_id: c.editionId,
              kind: c.kind,
              currency: c.currency,
              list_minor: c.listMinor,
              discount_minor: c.discountMinor,
              price_minor: c.priceMinor,
              points_used: c.pointsUsed,
              paid_minor: c.paidMinor,
              payment_method: c.paymentMethod,
              store_country: c.storeCountry,
              created_at: d.clock.now(),
            },
            d.clock.now(),
          );
          if (!created) throw new Refusal('already_owned', 'You already own this game or have an order of it in progress.');
        },
        compensation: 'orders: mark the order cancelled, with the reason',
        compensate: (c, failure) => d.orders.cancel(c.orderId, failure, d.clock.now()),
      },
      ...paymentSteps<PreorderContext>(d, (c) => c, { chargeCall: 'PaymentGateway.createPayment (Idempotency-Key order:{id}:charge) → buyer approval for wallets → capture' }),
      {
        kind: 'retriable',
        name: 'confirm-order',
        call: 'orders: mark paid + add to the purchase list + queue the confirmation mail (one transaction)',
        run: async (c) => {
          const pointsEarned = c.pointsEarned ?? 0;
          const confirmed = await d.orders.confirmPaid(
            c.orderId,
            { payment_id: c.paymentId ?? null, points_earned: pointsEarned },
            {
              to: c.email,
              dedupeKey: `order:${c.orderId}:confirmation`,
              subject: `${c.kind === 'preorder' ? 'Pre-order' : 'Purchase'} confirmed: ${c.gameTitle}`,
              text: `Thank you! Your ${c.kind === 'preorder' ? 'pre-order' : 'purchase'} of ${c.gameTitle} is complete.\n\nPaid: ${formatMoney({ amountMinor: c.paidMinor, currency: c.currency })}${c.pointsUsed ? ` + ${c.pointsUsed} points` : ''}\nPoints earned: ${pointsEarned}\n\nYou can request a refund from your purchase list: ${d.publicUrl}/purchases\n`,
            },
            d.clock.now(),
          );
          await reportCaptureWithoutOrder(d, confirmed, c);
        },
      },
    ],
  });
}
