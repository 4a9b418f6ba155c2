import type { CompensableStep, PivotStep, RetriableStep } from '../platform/saga.ts';
import { GatewayUnavailable, PaymentDeclined, type GatewayPayment } from '../payments/gateway.ts';
import type { FlowDeps } from './deps.ts';

/** What a charge needs to know about the order it pays for. */
export interface Chargeable {
  orderId: string;
  paymentMethod: string;
  paidMinor: number;
  currency: string;
  /** Where the PG sends the buyer back after approval, and where it posts webhooks; fixed when the saga starts. */
  returnUrl?: string;
  webhookUrl?: string;
}

/**
 * The pivot of every checkout saga (pre-order, purchase, gift): charges the order through the PG under the
 * idempotency key `order:<id>:charge` (the request's body is the same on every retry: its URLs were fixed when the
 * saga started), waiting for the buyer's approval when the method needs it. Only a definite outcome leaves here:
 * captured, or canceled/declined at the PG. A payment still awaiting approval after the store's cancel failed may
 * yet be approved — that is "unknown", so the caller retries and the buyer's late approval completes the order.
 */
export async function chargeOrder(d: FlowDeps, c: Chargeable): Promise<GatewayPayment> {
  const key = `order:${c.orderId}`;
  let p = await d.gateway.createPayment({
    orderRef: c.orderId,
    method: c.paymentMethod,
    amount: { amountMinor: c.paidMinor, currency: c.currency },
    capture: 'automatic',
    idempotencyKey: `${key}:charge`,
    returnUrl: c.returnUrl ?? `${d.publicUrl}/orders/${c.orderId}`,
    webhookUrl: c.webhookUrl ?? `${d.publicUrl}/api/payments/webhooks/paysim`,
  });
  if (p.status === 'requires_approval') {
    // An operational limit (wall time), not business time: the buyer has this long on the PG's page, counted from the
    // first time they were sent there and kept with the order, so a crash does not give them a new one.
    const deadline = (await d.orders.setApproval(c.orderId, p.approvalUrl ?? '', new Date(Date.now() + d.approvalTimeoutMs), d.clock.now())).getTime();
    while (p.status === 'requires_approval' && Date.now() < deadline) {
      await d.payments.wait(p.id, 1000);
      p = await d.gateway.getPayment(p.id);
    }
    if (p.status === 'requires_approval') {
      const id = p.id;
      // A failed cancel says nothing about the payment: ask the PG what it is now.
      p = await d.gateway.cancel(id, `${key}:cancel`).catch(() => d.gateway.getPayment(id));
    }
  }
  if (p.status === 'authorized') p = await d.gateway.capture(p.id, `${key}:capture`);
  return p;
}

/** A payment that is neither captured nor definitely not (still awaiting approval, authorized but not captured). */
export class PaymentUndecided extends GatewayUnavailable {}

/** Who pays for which order, and how: read from each saga's own context. */
export interface Payment {
  orderId: string;
  userId: string;
  currency: string;
  pointsUsed: number;
  paidMinor: number;
  paymentMethod: string;
  returnUrl?: string;
  webhookUrl?: string;
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
  opts: { chargeCall: string },
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
      compensation: 'points: return what the spend recorded, if it was recorded (order:{id}:spend-undo)',
      compensate: async (c) => {
        const p = payment(c);
        await d.points.undo(`order:${p.orderId}:spend`, `order:${p.orderId}:spend-undo`);
      },
    },
    {
      kind: 'pivot',
      name: 'charge-payment',
      call: opts.chargeCall,
      run: async (c) => {
        const p = payment(c);
        if (p.paidMinor === 0) return { paymentId: null } as Partial<C>;
        const charged = await chargeOrder(d, p);
        if (charged.status === 'captured') return { paymentId: charged.id } as Partial<C>;
        if (charged.status === 'canceled') throw new PaymentDeclined('The payment was not approved in time or was cancelled.');
        if (charged.status === 'declined') throw new PaymentDeclined();
        throw new PaymentUndecided(`payment ${charged.id} is ${charged.status}: waiting for a definite outcome`);
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

/**
 * The confirming step found its order cancelled although the PG captured the money (something cancelled the order
 * outside this saga): never silent — operators are alerted with what to refund.
 */
export async function reportCaptureWithoutOrder(d: FlowDeps, outcome: 'confirmed' | 'not_live', p: { orderId: string; paymentId?: string | null; paidMinor: number; currency: string }): Promise<void> {
  if (outcome === 'confirmed') return;
  await d.alerts.raise({
    kind: 'capture_without_order',
    subject: `order:${p.orderId}`,
    message: `The payment for order ${p.orderId} was captured, but the order had been cancelled. Refund the payment at the PG.`,
    details: { paymentId: p.paymentId ?? null, amountMinor: p.paidMinor, currency: p.currency },
  });
}
