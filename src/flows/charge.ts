import type { GatewayPayment } from '../payments/gateway.ts';
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
