import type { PaymentSignals } from '../payments/signals.ts';
import type { Clock } from '../platform/clock.ts';
import type { PaymentGateway } from '../payments/gateway.ts';
import type { PointsService } from '../points/service.ts';
import type { OrderStore } from '../orders/store.ts';
import type { AlertService } from '../alerts/service.ts';
import type { Transactions } from '../platform/db/tx.ts';
import type { PromotionStore } from '../promotions/store.ts';
import type { WaitingRoomStore } from '../waiting-room/store.ts';

/** What the checkout sagas use from the contexts they compose. */
export interface FlowDeps {
  orders: OrderStore;
  /** Transactions across the contexts a step writes (orders, points, gifts, timers, mail). */
  transactions: Transactions;
  points: PointsService;
  /** Budgets and coupons a price depends on: counted when an order is placed, given back when it is undone. */
  promotions: Pick<PromotionStore, 'redeem' | 'release'>;
  /** A waiting room's admission an order used: given back when the order is undone before it was paid (R6). */
  admission: Pick<WaitingRoomStore, 'release'>;
  gateway: PaymentGateway;
  clock: Clock;
  publicUrl: string;
  payments: PaymentSignals;
  alerts: Pick<AlertService, 'raise'>;
  /** How long a buyer has to approve a wallet payment before it is cancelled. */
  approvalTimeoutMs: number;
}
