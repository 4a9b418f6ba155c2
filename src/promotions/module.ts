import { kyselyFor } from '../platform/db/database.ts';
import { defaultCurrencyFor } from '../platform/countries.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { PointsService } from '../points/service.ts';
import { LivePromotions } from './live.ts';
import { promotionMigrations } from './migrations/index.ts';
import { promotionRoutes } from './routes.ts';
import { PromotionService } from './service.ts';
import { PromotionStore, type PromotionTables } from './store.ts';

/** Promotions (R9): sales, coupons, bundles and pre-order discounts, applied from memory on every node. */
export const promotionsModule = storeModule({
  name: 'promotions',
  migrations: promotionMigrations,
  create: async (
    p,
    s: {
      guards: Guards;
      accounts: AccountService;
      catalog: CatalogService;
      points: PointsService;
      /** The orders' library (a later module: read when a rule asks what a buyer owns). */
      orderStore: { libraryOf(userId: string): Promise<{ game_id: string }[]> };
    },
  ) => {
    const promotionStore = new PromotionStore(kyselyFor<PromotionTables>(p.pool));
    const live = new LivePromotions(promotionStore, {
      databaseUrl: p.databaseUrl,
      pollMs: p.config.promotionsPollMs,
      timeoutMs: 2000,
      log: p.log,
    });
    const promotions = new PromotionService({
      store: promotionStore,
      live,
      clock: p.clock,
      quoteSecret: `${p.authSecret}:quotes`,
      quoteTtlMs: p.config.quoteTtlMinutes * 60_000,
      ports: {
        buyerFacts: async (userId) => {
          const [createdAt, owned, wallets] = await Promise.all([
            s.accounts.createdAt(userId),
            s.orderStore.libraryOf(userId),
            s.points.wallets(userId),
          ]);
          return {
            accountCreatedAt: createdAt ?? new Date(0),
            ownedGameIds: new Set(owned.map((o) => o.game_id)),
            points: Object.fromEntries(wallets.map((w) => [w.currency, Number(w.balance)])),
          };
        },
        existingGames: (ids) => s.catalog.existingIds(ids),
        people: (ids) => s.accounts.people(ids),
        itemFor: async (gameId, editionId, country, currency) =>
          (await s.catalog.priceItem(gameId, editionId, { country, currency: currency ?? defaultCurrencyFor(country), language: 'en' }))
            .item,
      },
    });
    await live.start();
    return {
      provides: { promotions, promotionStore },
      routes: (app) => promotionRoutes(app, { promotions, catalog: s.catalog, guards: s.guards }),
      stop: () => live.stop(),
    };
  },
});
