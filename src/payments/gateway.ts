import type { Money } from '../platform/money.ts';
import { Refusal } from '../platform/saga.ts';

/**
 * The store's view of a payment company (PG). paysim implements it for development and tests; a real
 * PG (Stripe, Toss Payments, PayPal…) is one more class: map its payment states onto `GatewayPayment`,
 * pass our idempotency keys through (every real PG has them), verify its webhook signatures in
 * `parseWebhook`, and turn its "declined" answers into `PaymentDeclined`.
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

export interface GatewayEvent {
  id: string;
  type: string;
  payment: GatewayPayment;
}

export interface PaymentGateway {
  readonly name: string;
  createPayment(req: PaymentRequest): Promise<GatewayPayment>;
  getPayment(id: string): Promise<GatewayPayment>;
  capture(id: string, idempotencyKey: string): Promise<GatewayPayment>;
  cancel(id: string, idempotencyKey: string): Promise<GatewayPayment>;
  refund(id: string, amountMinor: number, idempotencyKey: string): Promise<GatewayPayment>;
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

export class InvalidWebhook extends Error {
  override readonly name = 'InvalidWebhook';
}
