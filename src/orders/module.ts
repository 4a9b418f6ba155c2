import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { GatewayEvent, PaymentGateway } from '../payments/gateway.ts';
import type { PaymentMethodCatalogue } from '../payments/methods.ts';
import type { PaymentSignals } from '../payments/signals.ts';
import type { PointsService } from '../points/service.ts';
import type { PromotionService } from '../promotions/service.ts';
import type { RegionGate } from '../regions/gate.ts';
import { orderMigrations } from './migrations/index.ts';
import { orderRoutes } from './routes.ts';
import { OrderService, type AdmissionGate, type SagaStarter } from './service.ts';
import { CartService } from './cart.ts';
import { OrderStore, type OrderTables } from './store.ts';

/** Orders (S1.5–S1.14): checkout, pre-orders, the purchase list, refunds, downloads and the library. */
export const ordersModule = storeModule({
  name: 'orders',
  migrations: orderMigrations,
  tags: [{ name: 'orders', description: 'Checkout, pre-orders, purchase list, refunds and downloads (sagas: see docs/sagas.md)' }],
  create: (
    p,
    s: {
      guards: Guards;
      catalog: CatalogService;
      points: PointsService;
      promotions: PromotionService;
      methods: PaymentMethodCatalogue;
      regions: RegionGate;
      waitingRooms: AdmissionGate;
      gateway: PaymentGateway;
      signals: PaymentSignals;
      /** The sagas (a later module, above the contexts: called when an order starts one). */
      sagas: SagaStarter;
      /** Forward recovery: a capture the PG reports is checked against the order at once (a later module). */
      reconciler: { settleCapture(p: GatewayEvent['payment'] & { orderRef: string }): Promise<unknown> };
    },
  ) => {
    const orderStore = new OrderStore(kyselyFor<OrderTables>(p.pool));
    // Read when an order starts one: the flows module comes later.
    const sagas: SagaStarter = {
      preorder: (id, input) => s.sagas.preorder(id, input),
      cart: (id, input) => s.sagas.cart(id, input),
      refund: (id, input) => s.sagas.refund(id, input),
    };
    const orders = new OrderService({
      orders: orderStore,
      catalog: s.catalog,
      points: s.points,
      promotions: s.promotions,
      methods: s.methods,
      regions: s.regions,
      admission: s.waitingRooms,
      clock: p.clock,
      downloadSecret: `${p.authSecret}:downloads`,
      publicUrl: p.config.publicUrl,
      refundWaitMs: p.config.refundWaitSeconds * 1000,
      sagas,
    });
    const cart = new CartService({
      orders: orderStore,
      checkout: orders,
      catalog: s.catalog,
      points: s.points,
      methods: s.methods,
      sagas,
      clock: p.clock,
      publicUrl: p.config.publicUrl,
    });
    return {
      provides: { orderStore, orders },
      routes: (app) =>
        orderRoutes(app, {
          orders,
          cart,
          store: orderStore,
          guards: s.guards,
          gateway: s.gateway,
          signals: s.signals,
          now: () => p.clock.now(),
          onCaptured: (c) => s.reconciler.settleCapture(c),
        }),
      // Buyers' pages waiting for an order to change are answered now, so the server can stop.
      draining: () => orderStore.changes.wakeAll(),
    };
  },
});
