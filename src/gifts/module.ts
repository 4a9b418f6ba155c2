import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { FriendService } from '../friends/service.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { RefundContext } from '../orders/sagas.ts';
import type { OrderService } from '../orders/service.ts';
import type { OrderStore } from '../orders/store.ts';
import type { PaymentMethodCatalogue } from '../payments/methods.ts';
import type { RegionGate } from '../regions/gate.ts';
import { deliverGift, expireGift, GIFT_TIMERS, type GiftLifecycleDeps } from './lifecycle.ts';
import { giftMigrations } from './migrations/index.ts';
import { giftRoutes } from './routes.ts';
import type { GiftContext } from './sagas.ts';
import { GiftService } from './service.ts';
import { GiftStore, type GiftTables } from './store.ts';

/**
 * Gifts (S2): the checks before a gift is paid (the send-gift saga in flows/ pays), and its life after —
 * delivery, the 30-day limit and refunds, on durable timers this module registers (gifts/lifecycle.ts).
 */
export const giftsModule = storeModule({
  name: 'gifts',
  migrations: giftMigrations,
  tags: [{ name: 'gifts', description: 'Gifts to friends: buy, schedule, accept, decline, cancel (saga: docs/sagas.md)' }],
  create: (
    p,
    s: {
      guards: Guards;
      accounts: AccountService;
      orderStore: OrderStore;
      orders: OrderService;
      friends: FriendService;
      catalog: CatalogService;
      methods: PaymentMethodCatalogue;
      regions: RegionGate;
      notifications: NotificationService;
      /** The sagas (a later module, above the contexts: called when a gift is sent or refunded). */
      sagas: {
        gift(workflowId: string, input: GiftContext): Promise<unknown>;
        refund(workflowId: string, input: RefundContext): Promise<unknown>;
      };
    },
  ) => {
    const giftStore = new GiftStore(kyselyFor<GiftTables>(p.pool), {
      orders: (ids, tx) => s.orderStore.byIds(ids, tx),
      people: (ids) => s.accounts.contacts(ids),
      owners: (ids, gameId) => s.orderStore.owners(ids, gameId),
    });
    const life: GiftLifecycleDeps = { gifts: giftStore, timers: p.timers, notifications: s.notifications, publicUrl: p.config.publicUrl };
    p.timers.register(GIFT_TIMERS.deliver.handler, {
      kind: 'local',
      run: (tx, input: { giftId: string }, now) => deliverGift(life, tx, input.giftId, now),
    });
    p.timers.register(GIFT_TIMERS.expire.handler, {
      kind: 'local',
      run: (tx, input: { giftId: string }, now) => expireGift(life, tx, input.giftId, now),
    });
    p.timers.register(GIFT_TIMERS.refund.handler, { kind: 'workflow', start: (id, input: RefundContext) => s.sagas.refund(id, input) });
    const gifts = new GiftService({
      ...life,
      orders: s.orderStore,
      transactions: p.transactions,
      clock: p.clock,
      friends: s.friends,
      catalog: s.catalog,
      orderService: s.orders,
      methods: s.methods,
      regions: s.regions,
      startSaga: (id, input) => s.sagas.gift(id, input),
    });
    return {
      provides: { giftStore, gifts },
      routes: (app) => giftRoutes(app, { gifts, guards: s.guards, now: () => p.clock.now() }),
    };
  },
});
