import type { CompensableStep, PivotStep, RetriableStep } from '../platform/saga.ts';
import { PaymentDeclined, type GatewayPayment } from '../payments/gateway.ts';
import type { FlowDeps } from './deps.ts';

/** What a charge needs to know about the order it pays for. */
export interface Chargeable {
  orderId: string;
  paymentMethod: string;
  paidMinor: number;
  currency: string;
  /** Where the PG sends the buyer back after approval; default the order's page. */
  returnPath?: string;
}

/**
 * The pivot of every checkout saga (pre-order, purchase, gift): charges the order through the PG under the
 * idempotency key `order:<id>:charge`, waiting for the buyer's approval when the method needs it; a decline
 * or no approval in time ends in a non-captured payment, which the caller turns into a refusal.
 */
export async function chargeOrder(d: FlowDeps, c: Chargeable): Promise<GatewayPayment> {
  const key = `order:${c.orderId}`;
  let p = await d.gateway.createPayment({
    orderRef: c.orderId,
    method: c.paymentMethod,
    amount: { amountMinor: c.paidMinor, currency: c.currency },
    capture: 'automatic',
    idempotencyKey: `${key}:charge`,
    returnUrl: `${d.publicUrl}${c.returnPath ?? `/orders/${c.orderId}`}`,
    webhookUrl: `${d.publicUrl}/api/payments/webhooks/paysim`,
  });
  if (p.status === 'requires_approval') {
    if (p.approvalUrl) await d.orders.setApprovalUrl(c.orderId, p.approvalUrl, d.clock.now());
    // An operational timeout (wall time), not business time: the buyer has this long on the PG's page.
    const deadline = Date.now() + d.approvalTimeoutMs;
    while (p.status === 'requires_approval' && Date.now() < deadline) {
      await d.payments.wait(p.id, 1000);
      p = await d.gateway.getPayment(p.id);
    }
    if (p.status === 'requires_approval') {
      p = await d.gateway.cancel(p.id, `${key}:cancel`).catch(() => d.gateway.getPayment(p.id));
    }
  }
  if (p.status === 'authorized') p = await d.gateway.capture(p.id, `${key}:capture`);
  return p;
}


/** Who pays for which order, and how: read from each saga's own context. */
export interface Payment {
  orderId: string;
  userId: string;
  currency: string;
  pointsUsed: number;
  paidMinor: number;
  paymentMethod: string;
}

/** What the payment steps add to a saga's context. */
export interface Paid {
  paymentId?: string | null;
  pointsEarned?: number;
}

/**
 * The three steps every checkout saga shares (pre-order, purchase, gift): spend the points used
 * (compensable), charge through the PG (the pivot), credit the points earned (retriable). Ledger references
 * and the PG idempotency key are derived from the order id, so re-runs after a crash change nothing.
 */
export function paymentSteps<C extends Paid>(
  d: FlowDeps,
  payment: (c: C) => Payment,
  opts: { chargeCall: string; returnPath?: (c: C) => string },
): [CompensableStep<C>, PivotStep<C>, RetriableStep<C>] {
  return [
    {
      kind: 'compensable',
      name: 'use-points',
      call: 'points: spend the points used (ledger reference order:{id}:spend)',
      run: async (c) => {
        const p = payment(c);
        await d.points.spend(p.userId, p.currency, p.pointsUsed, `order:${p.orderId}:spend`);
      },
      compensation: 'points: return the points used (order:{id}:spend-undo)',
      compensate: async (c) => {
        const p = payment(c);
        await d.points.returnSpent(p.userId, p.currency, p.pointsUsed, `order:${p.orderId}:spend-undo`);
      },
    },
    {
      kind: 'pivot',
      name: 'charge-payment',
      call: opts.chargeCall,
      run: async (c) => {
        const p = payment(c);
        if (p.paidMinor === 0) return { paymentId: null } as Partial<C>;
        const charged = await chargeOrder(d, { ...p, returnPath: opts.returnPath?.(c) });
        if (charged.status !== 'captured') throw new PaymentDeclined(charged.status === 'canceled' ? 'The payment was not approved in time or was cancelled.' : undefined);
        return { paymentId: charged.id } as Partial<C>;
      },
    },
    {
      kind: 'retriable',
      name: 'credit-points',
      // Before the confirming step: an order shows as paid (and refundable) only once its points are credited,
      // so a refund can always take back what the purchase earned. The crash test caught the other order.
      call: 'points: credit the earned points (order:{id}:earn)',
      run: async (c) => {
        const p = payment(c);
        const pointsEarned = d.points.earnedFor(p.paidMinor);
        await d.points.earn(p.userId, p.currency, pointsEarned, `order:${p.orderId}:earn`);
        return { pointsEarned } as Partial<C>;
      },
    },
  ];
}
