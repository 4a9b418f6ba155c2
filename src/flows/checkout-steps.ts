import { Refusal, type PivotStep } from '../platform/saga.ts';
import type { Tx } from '../platform/db/tx.ts';
import { GatewayUnavailable, PaymentDeclined, type GatewayPayment } from '../payments/gateway.ts';
import type { FlowDeps } from './deps.ts';
import type { NewOrder } from '../orders/store.ts';
import type { Purchase } from '../orders/sagas.ts';

/** What a charge needs to know about the order it pays for. */
export interface Chargeable {
  orderId: string;
  paymentMethod: string;
  paidMinor: number;
  currency: string;
  /** Where the PG sends the buyer back after approval, and where it posts webhooks; fixed when the saga starts. */
  returnUrl?: string;
  webhookUrl?: string;
  /** When the order was placed (the placing step records it). */
  placedAt?: string;
}

/** The PG's payment for an order, if it has one (a captured one first). */
async function paymentOf(d: FlowDeps, orderId: string): Promise<GatewayPayment | undefined> {
  const { items } = await d.gateway.listPayments({ orderRef: orderId });
  return items.find((p) => p.status === 'captured') ?? items[0];
}

/** The longest a saga waiting for a buyer's approval goes without asking the PG (webhooks wake it sooner). */
const APPROVAL_POLL_MAX_MS = 30_000;

/** Payments older than this are looked up at the PG before a charge is sent again: its idempotency keys expire (Stripe keeps them 24 h). */
const KEY_RETENTION_MARGIN_MS = 12 * 3_600_000;

/**
 * The pivot of every checkout saga (pre-order, purchase, gift): charges the order through the PG under the
 * idempotency key `order:<id>:charge` (the request's body is the same on every retry: its URLs were fixed when the
 * saga started), waiting for the buyer's approval when the method needs it. Only a definite outcome leaves here:
 * captured, or canceled/declined at the PG. A payment still awaiting approval after the store's cancel failed may
 * yet be approved — that is "unknown", so the caller retries and the buyer's late approval completes the order.
 * An order placed long ago (a pivot retried through a long outage) first asks the PG for a payment of this order:
 * by then the PG may have forgotten the idempotency key, and a second charge must never be created.
 */
export async function chargeOrder(d: FlowDeps, c: Chargeable): Promise<GatewayPayment> {
  const key = `order:${c.orderId}`;
  const earlier =
    c.placedAt && d.clock.now().getTime() - Date.parse(c.placedAt) > KEY_RETENTION_MARGIN_MS ? await paymentOf(d, c.orderId) : undefined;
  let p =
    earlier ??
    (await d.gateway.createPayment({
      orderRef: c.orderId,
      method: c.paymentMethod,
      amount: { amountMinor: c.paidMinor, currency: c.currency },
      capture: 'automatic',
      idempotencyKey: `${key}:charge`,
      returnUrl: c.returnUrl ?? `${d.publicUrl}/orders/${c.orderId}`,
      webhookUrl: c.webhookUrl ?? `${d.publicUrl}/api/payments/webhooks/paysim`,
    }));
  if (p.status === 'requires_approval') {
    // An operational limit (wall time), not business time: the buyer has this long on the PG's page, counted from the
    // first time they were sent there and kept with the order, so a crash does not give them a new one.
    const deadline = (
      await d.orders.setApproval(c.orderId, p.approvalUrl ?? '', new Date(Date.now() + d.approvalTimeoutMs), d.clock.now())
    ).getTime();
    // The webhook wakes this wait on whichever node it arrives (payments/signals.ts); asking the PG is only the
    // safety net for a lost webhook, so it backs off — 1 s, 2 s, 4 s … then every 30 s — and a thousand buyers on
    // their wallet's page cost the PG about 33 requests a second, not a thousand (bench:memory).
    for (let pause = 1000; p.status === 'requires_approval' && Date.now() < deadline; pause = Math.min(pause * 2, APPROVAL_POLL_MAX_MS)) {
      await d.payments.wait(p.id, Math.min(pause, Math.max(0, deadline - Date.now())));
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
export interface Payment extends Chargeable {
  userId: string;
  pointsUsed: number;
}

/** What the payment steps add to a saga's context. */
export interface Paid {
  paymentId?: string | null;
  pointsEarned?: number;
}

/**
 * The pivot every checkout saga shares (pre-order, purchase, gift): the PG charge. Captured → the saga goes on;
 * cancelled or declined at the PG → a refusal, and the saga compensates; anything else is undecided and retried.
 */
export function chargePayment<C extends Paid>(d: FlowDeps, payment: (c: C) => Payment, opts: { call: string }): PivotStep<C> {
  return {
    kind: 'pivot',
    name: 'charge-payment',
    call: opts.call,
    run: async (c) => {
      const p = payment(c);
      if (p.paidMinor === 0) return { paymentId: null } as Partial<C>;
      const charged = await chargeOrder(d, p);
      if (charged.status === 'captured') return { paymentId: charged.id } as Partial<C>;
      if (charged.status === 'canceled') throw new PaymentDeclined('The payment was not approved in time or was cancelled.');
      if (charged.status === 'declined') throw new PaymentDeclined();
      throw new PaymentUndecided(`payment ${charged.id} is ${charged.status}: waiting for a definite outcome`);
    },
  };
}

/** The pending order a checkout saga places: what is bought and how it is paid, for whom, from where. */
export const orderRow = (c: Purchase, who: { id: string; userId: string; country: string }, now: Date): NewOrder => ({
  id: who.id,
  user_id: who.userId,
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
  store_country: who.country,
  created_at: now,
});

/** Ledger references of one order's points: derived from the order id, so a re-run posts nothing twice. */
export const pointsRef = {
  spend: (orderId: string) => `order:${orderId}:spend`,
  spendUndo: (orderId: string) => `order:${orderId}:spend-undo`,
  earn: (orderId: string) => `order:${orderId}:earn`,
};

/** Spends the points used, in the placing step's transaction; a refusal (not enough) rolls the order back with it. */
export async function spendPoints(d: FlowDeps, tx: Tx, p: Payment): Promise<void> {
  await d.points.spend(p.userId, p.currency, p.pointsUsed, pointsRef.spend(p.orderId), tx);
}

/**
 * Counts the promotion budgets and coupon uses the order's price depends on, in the placing step's transaction. Used
 * up meanwhile (the last copies went to concurrent buyers): the order is refused with the reason and nothing is
 * charged — the buyer sees the new price when they check out again.
 */
export async function redeemPromotions(
  d: FlowDeps,
  tx: Tx,
  c: Pick<Purchase, 'redemptions'> & { orderId: string; userId: string },
  now: Date,
): Promise<void> {
  if (!c.redemptions?.length) return;
  const refused = await d.promotions.redeem(tx, { orderId: c.orderId, userId: c.userId, at: now, promotions: c.redemptions });
  if (refused?.reason === 'budget_used_up') {
    throw new Refusal('promotion_sold_out', 'The discounted copies of this offer are all gone. Check out again to see the current price.');
  }
  if (refused) throw new Refusal('coupon_used_up', 'This coupon code has no uses left. Check out again without it or with another code.');
}

/** Compensation: returns what the spend recorded, if it was recorded. */
export async function returnPoints(d: FlowDeps, tx: Tx, p: Payment): Promise<void> {
  await d.points.undo(pointsRef.spend(p.orderId), pointsRef.spendUndo(p.orderId), tx);
}

/** Credits the points a payment earned, in the confirming step's transaction; returns how many. */
export async function earnPoints(d: FlowDeps, tx: Tx, p: Payment): Promise<number> {
  const pointsEarned = d.points.earnedFor(p.paidMinor);
  await d.points.earn(p.userId, p.currency, pointsEarned, pointsRef.earn(p.orderId), tx);
  return pointsEarned;
}

/**
 * The confirming step found its order cancelled although the PG captured the money (something cancelled the order
 * outside this saga): never silent — operators are alerted with what to refund.
 */
export async function reportCaptureWithoutOrder(
  d: FlowDeps,
  p: { orderId: string; paymentId?: string | null; paidMinor: number; currency: string },
): Promise<void> {
  await d.alerts.raise({
    kind: 'capture_without_order',
    subject: `order:${p.orderId}`,
    message: `The payment for order ${p.orderId} was captured, but the order had been cancelled. Refund the payment at the PG.`,
    details: { paymentId: p.paymentId ?? null, amountMinor: p.paidMinor, currency: p.currency },
  });
}
