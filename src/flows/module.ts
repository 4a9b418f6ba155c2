import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import { parkedWithin, registerSaga, startSaga, WorkflowHealth } from '../platform/workflows.ts';
import type { AlertService } from '../alerts/service.ts';
import type { GiftContext } from '../gifts/sagas.ts';
import type { GiftStore } from '../gifts/store.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { CartContext, PreorderContext, RefundContext } from '../orders/sagas.ts';
import type { OrderStore } from '../orders/store.ts';
import type { PaymentGateway } from '../payments/gateway.ts';
import type { PaymentSignals } from '../payments/signals.ts';
import type { PointsService } from '../points/service.ts';
import type { PromotionStore } from '../promotions/store.ts';
import type { WaitingRoomStore } from '../waiting-room/store.ts';
import type { FlowDeps } from './deps.ts';
import { buyCart } from './buy-cart.ts';
import { preorderGame } from './preorder-game.ts';
import { PaymentReconciler, RECONCILE_TIMER } from './reconcile-payments.ts';
import { refundOrder } from './refund-order.ts';
import { sendGift } from './send-gift.ts';

/**
 * The sagas that move money across contexts (durable, DBOS: docs/sagas.md) and the reconciliation with the PG
 * that watches them. Above the contexts: it composes their stores; they start sagas through what it provides.
 */
export const flowsModule = storeModule({
  name: 'flows',
  create: (
    p,
    s: {
      orderStore: OrderStore;
      points: PointsService;
      promotionStore: PromotionStore;
      admission: WaitingRoomStore;
      gateway: PaymentGateway;
      signals: PaymentSignals;
      alerts: AlertService;
      giftStore: GiftStore;
      notifications: NotificationService;
    },
  ) => {
    const { config, clock, timers, transactions } = p;
    const flowDeps: FlowDeps = {
      orders: s.orderStore,
      transactions,
      points: s.points,
      promotions: s.promotionStore,
      admission: s.admission,
      gateway: s.gateway,
      clock,
      publicUrl: config.publicUrl,
      payments: s.signals,
      alerts: s.alerts,
      approvalTimeoutMs: config.paymentApprovalTimeoutSeconds * 1000,
    };
    const preorder = registerSaga(preorderGame(flowDeps), transactions);
    const refund = registerSaga(refundOrder(flowDeps), transactions);
    const cart = registerSaga(buyCart(flowDeps), transactions);
    const gift = registerSaga(sendGift({ ...flowDeps, gifts: s.giftStore, timers, notifications: s.notifications }), transactions);
    const reconciler = new PaymentReconciler({
      orders: s.orderStore,
      gateway: s.gateway,
      alerts: s.alerts,
      timers,
      clock,
      workflows: new WorkflowHealth(kyselyFor(p.pool)),
      intervalMs: config.reconcileIntervalSeconds * 1000,
      lookbackMs: config.reconcileLookbackHours * 3_600_000,
      stuckAfterMs: config.stuckOrderMinutes * 60_000,
    });
    timers.register(RECONCILE_TIMER.handler, {
      kind: 'local',
      run: async (tx, _input, now) => {
        await reconciler.scheduleNext(tx, now);
        const r = await reconciler.runOnce(now);
        p.log.info({ reconcile: r }, 'payments reconciled with the PG');
      },
    });
    return {
      provides: {
        sagas: {
          preorder: (id: string, input: PreorderContext) => startSaga(preorder, id, input),
          cart: (id: string, input: CartContext) => startSaga(cart, id, input),
          refund: async (id: string, input: RefundContext) => {
            const handle = await startSaga(refund, id, input);
            return {
              getResult: () => handle.getResult(),
              parkedWithin: (ms: number, signal?: AbortSignal) => parkedWithin(id, ms, signal),
            };
          },
          gift: (id: string, input: GiftContext) => startSaga(gift, id, input),
        },
        reconciler,
      },
      schedule: (tx, now) => reconciler.scheduleNext(tx, now),
    };
  },
});
