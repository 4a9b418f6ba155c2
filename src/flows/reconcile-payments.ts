import type { Kysely } from 'kysely';
import type { Tx } from '../platform/db/tx.ts';
import type { Clock } from '../platform/clock.ts';
import type { Timers } from '../platform/timers.ts';
import type { AlertService } from '../alerts/service.ts';
import type { OrderStore } from '../orders/store.ts';
import type { ListedPayment, PaymentGateway } from '../payments/gateway.ts';

export interface ReconcileDeps {
  orders: OrderStore;
  gateway: PaymentGateway;
  alerts: Pick<AlertService, 'raise'>;
  timers: Timers;
  clock: Clock;
  /** How often the job runs (store clock). */
  intervalMs: number;
  /** How far back each run reads the PG's payments (PG time: wall clock). */
  lookbackMs: number;
  /** An order pending or refund_pending for longer than this is reported stuck. */
  stuckAfterMs: number;
}

export const RECONCILE_TIMER = { handler: 'reconcile-payments', id: (slot: number) => `reconcile-payments:${new Date(slot).toISOString()}` } as const;

/**
 * Reconciliation with the payment company (D1): whatever the sagas could not see is found here. Runs on a durable
 * timer every `intervalMs` (one node at a time: the timer row is locked while it runs), and for every
 * `payment.captured` webhook as it arrives (forward recovery):
 *
 * - money captured for an order that is not live (cancelled, unknown to the store) or twice for one order is
 *   refunded at the PG at once (idempotency key `reconcile:<payment>:refund`) and reported;
 * - orders pending or refund_pending past `stuckAfterMs` are reported (an operator alert each).
 *
 * Orders still pending are left to their saga, which owns them.
 */
export class PaymentReconciler {
  constructor(private readonly d: ReconcileDeps) {}

  /** Schedules the next run after `now` (idempotent: every node computes the same slot id). */
  async scheduleNext(tx: Tx, now: Date): Promise<void> {
    const slot = Math.floor(now.getTime() / this.d.intervalMs + 1) * this.d.intervalMs;
    await this.d.timers.schedule(tx, { id: RECONCILE_TIMER.id(slot), handler: RECONCILE_TIMER.handler, input: {}, dueAt: new Date(slot) });
  }

  /** One pass: the PG's payments of the look-back window, then the store's stuck orders. */
  async runOnce(now: Date): Promise<{ payments: number; refunded: number; stuck: number }> {
    let payments = 0;
    let refunded = 0;
    let startingAfter: string | undefined;
    const createdFrom = new Date(Date.now() - this.d.lookbackMs);
    for (;;) {
      const page = await this.d.gateway.listPayments({ createdFrom, limit: 100, startingAfter });
      for (const p of page.items) {
        payments++;
        if (await this.settleCapture(p)) refunded++;
      }
      if (!page.hasMore || !page.items.length) break;
      startingAfter = page.items.at(-1)!.id;
    }
    const stuck = await this.d.orders.stuck(new Date(now.getTime() - this.d.stuckAfterMs));
    for (const o of stuck) {
      await this.d.alerts.raise({
        kind: 'stuck',
        subject: `order:${o.id}`,
        message: `Order ${o.id} has been ${o.status} since ${o.updated_at.toISOString()}: its saga has not finished.`,
        details: { status: o.status, paymentId: o.payment_id },
      });
    }
    return { payments, refunded, stuck: stuck.length };
  }

  /**
   * Looks at one payment the PG holds money for; refunds it when no live order of the store stands behind it.
   * True when it refunded.
   */
  async settleCapture(p: ListedPayment | (Omit<ListedPayment, 'createdAt'> & { createdAt?: string })): Promise<boolean> {
    const held = p.capturedMinor - p.refundedMinor;
    if (p.status !== 'captured' || held <= 0) return false;
    const order = /^[0-9a-f-]{36}$/.test(p.orderRef) ? await this.d.orders.byId(p.orderRef) : undefined;
    let why: string | undefined;
    if (!order) why = 'no order of this store has this reference';
    else if (order.status === 'cancelled') why = `order ${order.id} was cancelled`;
    else if (order.status !== 'pending' && order.payment_id && order.payment_id !== p.id) why = `order ${order.id} was paid by another payment (${order.payment_id})`;
    if (!why) return false;
    await this.d.gateway.refund(p.id, held, `reconcile:${p.id}:refund`);
    await this.d.alerts.raise({
      kind: 'capture_without_order',
      subject: `payment:${p.id}`,
      message: `Payment ${p.id} captured ${held} ${p.amount.currency} but ${why}: refunded automatically.`,
      details: { paymentId: p.id, orderRef: p.orderRef, amountMinor: held, currency: p.amount.currency, refunded: true },
    });
    return true;
  }
}
