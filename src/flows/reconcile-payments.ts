import type { Tx } from '../platform/db/tx.ts';
import { formatMoney } from '../platform/money.ts';
import type { Clock } from '../platform/clock.ts';
import type { Timers } from '../platform/timers.ts';
import type { AlertService } from '../alerts/service.ts';
import type { OrderStore } from '../orders/store.ts';
import type { ListedPayment, PaymentGateway } from '../payments/gateway.ts';
import type { WorkflowHealth } from '../platform/workflows.ts';
import type { OrderRow } from '../orders/store.ts';

export interface ReconcileDeps {
  orders: OrderStore;
  gateway: PaymentGateway;
  alerts: Pick<AlertService, 'raise'>;
  timers: Timers;
  workflows: Pick<WorkflowHealth, 'unhealthy' | 'pruneCheckpoints'>;
  clock: Clock;
  /** How often the job runs (store clock). */
  intervalMs: number;
  /** How far back each run reads the PG's payments (PG time: wall clock). */
  lookbackMs: number;
  /** An order pending or refund_pending for longer than this is reported stuck. */
  stuckAfterMs: number;
}

export const RECONCILE_TIMER = {
  handler: 'reconcile-payments',
  id: (slot: number) => `reconcile-payments:${new Date(slot).toISOString()}`,
} as const;

/**
 * Reconciliation with the payment company (D1): whatever the sagas could not see is found here. Runs on a durable
 * timer every `intervalMs` (one node at a time: the timer row is locked while it runs), and for every
 * `payment.captured` webhook as it arrives (forward recovery):
 *
 * - money captured for an order that is not live (cancelled, unknown to the store) or twice for one order is
 *   refunded at the PG at once (idempotency key `reconcile:<payment>:refund`) and reported;
 * - orders pending or refund_pending past `stuckAfterMs` are reported (an operator alert each);
 * - saga runs that ended in ERROR, that DBOS stopped recovering, or still PENDING past `stuckAfterMs` are reported;
 * - settlement: for every payment of the window, what the PG holds (captured − refunded) is compared with what the
 *   store's order says it should hold; a difference is reported, and the totals per currency are returned.
 *
 * Orders still pending or refund_pending are left to their saga, which owns them.
 */

/** Money per currency, in minor units. */
export type Totals = Record<string, number>;

export interface ReconcileResult {
  payments: number;
  refunded: number;
  stuck: number;
  unhealthyRuns: number;
  mismatches: number;
  /** What the PG holds and what the store expects, per currency, over the settled payments of the window. */
  settlement: { pg: Totals; store: Totals };
}
export class PaymentReconciler {
  constructor(private readonly d: ReconcileDeps) {}

  /** Schedules the next run after `now` (idempotent: every node computes the same slot id). */
  async scheduleNext(tx: Tx, now: Date): Promise<void> {
    const slot = Math.floor(now.getTime() / this.d.intervalMs + 1) * this.d.intervalMs;
    await this.d.timers.schedule(tx, { id: RECONCILE_TIMER.id(slot), handler: RECONCILE_TIMER.handler, input: {}, dueAt: new Date(slot) });
  }

  /** One pass: the PG's payments of the look-back window (settled against the orders), the stuck orders, the saga runs. */
  async runOnce(now: Date): Promise<ReconcileResult> {
    let payments = 0;
    let refunded = 0;
    let mismatches = 0;
    const settlement = { pg: {} as Totals, store: {} as Totals };
    let startingAfter: string | undefined;
    const createdFrom = new Date(Date.now() - this.d.lookbackMs);
    for (;;) {
      const page = await this.d.gateway.listPayments({ createdFrom, limit: 100, startingAfter });
      for (const p of page.items) {
        payments++;
        if (await this.settleCapture(p)) refunded++;
        else if (await this.settle(p, settlement)) mismatches++;
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
    // DBOS records run times on the wall clock.
    const runs = await this.d.workflows.unhealthy({ failedSince: createdFrom, pendingBefore: new Date(Date.now() - this.d.stuckAfterMs) });
    for (const run of runs) {
      const failed = run.status !== 'PENDING';
      await this.d.alerts.raise(
        {
          kind: failed ? 'saga_failed' : 'stuck',
          subject: `workflow:${run.workflowId}`,
          message: failed
            ? `Saga ${run.name} run ${run.workflowId} ended in ${run.status} at ${run.since.toISOString()}${run.error ? `: ${run.error}` : ''}. Its order may need a refund or a manual fix.`
            : `Saga ${run.name} run ${run.workflowId} has not finished since ${run.since.toISOString()}.`,
          details: { workflowId: run.workflowId, saga: run.name, status: run.status },
        },
        { once: failed },
      );
    }
    await this.d.workflows.pruneCheckpoints(new Date(Date.now() - 7 * 86_400_000));
    return { payments, refunded, stuck: stuck.length, unhealthyRuns: runs.length, mismatches, settlement };
  }

  /** What the store's order says the PG should hold for payment `p`; undefined while a saga still owns the order. */
  private expectedOf(p: ListedPayment, order: OrderRow): number | undefined {
    if (order.payment_id !== p.id) return order.status === 'pending' ? undefined : 0;
    if (order.status === 'paid') return order.paid_minor;
    if (order.status === 'refunded') return order.paid_minor - (order.refunded_minor ?? 0);
    return undefined; // pending, refund_pending: the saga is at it
  }

  /** The same for all the orders one payment pays (one order, or a cart checkout's): their sum. */
  private expected(p: ListedPayment, orders: readonly OrderRow[]): number | undefined {
    let sum = 0;
    for (const o of orders) {
      const e = this.expectedOf(p, o);
      if (e === undefined) return undefined;
      sum += e;
    }
    return sum;
  }

  /** The orders behind a PG order reference (an order id, or a cart checkout's id). */
  private ordersOf(ref: string): Promise<OrderRow[]> {
    return /^[0-9a-f-]{36}$/.test(ref) ? this.d.orders.forReference(ref) : Promise.resolve([]);
  }

  /** Adds one payment to the settlement; true (and an alert) when the PG and the store disagree about it. */
  private async settle(p: ListedPayment, totals: { pg: Totals; store: Totals }): Promise<boolean> {
    if (p.status !== 'captured') return false;
    const orders = await this.ordersOf(p.orderRef);
    const expected = this.expected(p, orders);
    if (expected === undefined) return false;
    const held = p.capturedMinor - p.refundedMinor;
    const c = p.amount.currency;
    totals.pg[c] = (totals.pg[c] ?? 0) + held;
    totals.store[c] = (totals.store[c] ?? 0) + expected;
    if (held === expected) return false;
    await this.d.alerts.raise({
      kind: 'settlement_mismatch',
      subject: `payment:${p.id}`,
      message: `Payment ${p.id} holds ${formatMoney({ amountMinor: held, currency: c })} at the PG, but order ${p.orderRef} (${orders.map((o) => o.status).join(', ') || 'unknown'}) says ${formatMoney({ amountMinor: expected, currency: c })}.`,
      details: { paymentId: p.id, orderRef: p.orderRef, pgMinor: held, storeMinor: expected, currency: c },
    });
    return true;
  }

  /**
   * Looks at one payment the PG holds money for; refunds it when no live order of the store stands behind it.
   * True when it refunded.
   */
  async settleCapture(p: ListedPayment | (Omit<ListedPayment, 'createdAt'> & { createdAt?: string })): Promise<boolean> {
    const held = p.capturedMinor - p.refundedMinor;
    if (p.status !== 'captured' || held <= 0) return false;
    const orders = await this.ordersOf(p.orderRef);
    const live = orders.filter((o) => o.status !== 'cancelled');
    let why: string | undefined;
    if (!orders.length) why = 'no order of this store has this reference';
    else if (!live.length) why = `order ${p.orderRef} was cancelled`;
    else if (live.every((o) => o.status !== 'pending' && o.payment_id && o.payment_id !== p.id))
      why = `order ${p.orderRef} was paid by another payment (${live[0]!.payment_id})`;
    if (!why) return false;
    await this.d.gateway.refund(p.id, held, `reconcile:${p.id}:refund`);
    await this.d.alerts.raise({
      kind: 'capture_without_order',
      subject: `payment:${p.id}`,
      message: `Payment ${p.id} captured ${formatMoney({ amountMinor: held, currency: p.amount.currency })} but ${why}: refunded automatically.`,
      details: { paymentId: p.id, orderRef: p.orderRef, amountMinor: held, currency: p.amount.currency, refunded: true },
    });
    return true;
  }
}
