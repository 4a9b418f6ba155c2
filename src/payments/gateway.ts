import type { Money } from '../platform/money.ts';
import { NeedsAttention, Refusal } from '../platform/saga.ts';

/**
 * The store's view of a payment company (PG). paysim implements it for development and tests; a real
 * PG (Stripe, Toss Payments, PayPal…) is one more class: map its payment states onto `GatewayPayment`,
 * pass our idempotency keys through (every real PG has them), verify its webhook signatures in
 * `parseWebhook`, and classify its answers: "declined" → `PaymentDeclined` (the saga compensates); no answer, 5xx,
 * 408, 429 → `GatewayUnavailable` (unknown: retried with the same key); any other refusal → `GatewayRejected`
 * (definite, parked for an operator).
 */

export type GatewayStatus = 'requires_approval' | 'authorized' | 'captured' | 'canceled' | 'declined';

export interface GatewayPayment {
  id: string;
  status: GatewayStatus;
  amount: Money;
  capturedMinor: number;
  refundedMinor: number;
  /** Where to send the buyer to approve (wallets, bank redirects). */
  approvalUrl?: string;
}

export interface PaymentRequest {
  orderRef: string;
  method: string;
  amount: Money;
  capture: 'automatic' | 'manual';
  /** Deterministic per order and attempt, so a retried call never charges twice. */
  idempotencyKey: string;
  returnUrl?: string;
  webhookUrl?: string;
}

/** A payment as the PG's list API gives it: with the order it was made for and when. */
export interface ListedPayment extends GatewayPayment {
  orderRef: string;
  createdAt: string;
}

export interface PaymentQuery {
  /** Created at or after (PG time). */
  createdFrom?: Date;
  orderRef?: string;
  limit?: number;
  /** Cursor: the last payment id of the previous page. */
  startingAfter?: string;
}

export interface GatewayEvent {
  id: string;
  type: string;
  payment: GatewayPayment;
  /** The store's order reference the payment was made for. */
  orderRef: string;
}

export interface PaymentGateway {
  readonly name: string;
  createPayment(req: PaymentRequest): Promise<GatewayPayment>;
  getPayment(id: string): Promise<GatewayPayment>;
  capture(id: string, idempotencyKey: string): Promise<GatewayPayment>;
  cancel(id: string, idempotencyKey: string): Promise<GatewayPayment>;
  refund(id: string, amountMinor: number, idempotencyKey: string): Promise<GatewayPayment>;
  /** Lists payments, oldest first, a page at a time (what reconciliation reads; every PG has such an API). */
  listPayments(q: PaymentQuery): Promise<{ items: ListedPayment[]; hasMore: boolean }>;
  /** Verifies the signature and returns the event, or throws `InvalidWebhook`. */
  parseWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>): GatewayEvent;
}

/** The payment company said no (declined card, cancelled approval): a business outcome, never retried. */
export class PaymentDeclined extends Refusal {
  constructor(message = 'The payment was declined. Try another payment method.') {
    super('payment_declined', message);
  }
}

/** The payment company did not answer usefully (timeout, 5xx): retry with the same idempotency key. */
export class GatewayUnavailable extends Error {
  override readonly name = 'GatewayUnavailable';
}

/**
 * The payment company refused the request outright (a 4xx other than a decline: the payment was refunded or
 * cancelled elsewhere, the amount is wrong, a key was reused with another body). Retrying changes nothing and
 * giving up may strand money: the saga parks and operators are alerted.
 */
export class GatewayRejected extends NeedsAttention {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super('payment_rejected', message, { status, code });
  }
}

export class InvalidWebhook extends Error {
  override readonly name = 'InvalidWebhook';
}

/** The charge request's URLs, fixed when a saga starts: where the buyer returns after approval, where webhooks go. */
export const chargeUrls = (publicUrl: string, returnPath: string) => ({
  returnUrl: `${publicUrl}${returnPath}`,
  webhookUrl: `${publicUrl}/api/payments/webhooks/paysim`,
});
