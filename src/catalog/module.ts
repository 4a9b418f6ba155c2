import { join } from 'node:path';
import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import { mediaRoutes } from './media.ts';
import { catalogMigrations } from './migrations/index.ts';
import { catalogRoutes } from './routes.ts';
import type { HomePage, SearchResult } from './schemas.ts';
import { CatalogService, type OfferPricer, type StoreGamePage } from './service.ts';
import { CATALOG_CHANNEL, CatalogStore, type CatalogTables, type GamePageRow, type GameRow, type ListedGameRow } from './store.ts';
import type { TitleIndex } from './suggest.ts';
import type { SearchIndex } from './search-index.ts';

/** The catalogue (S1.1–S1.4, R5, R8): games, editions, regional prices, search and the storefront's pages. */
export const catalogModule = storeModule({
  name: 'catalog',
  migrations: catalogMigrations,
  tags: [
    { name: 'storefront', description: 'What visitors and players see' },
    { name: 'operator', description: 'Operator console: games, prices, regions, promotions (operator role required)' },
  ],
  create: async (p, s: { guards: Guards; promotions: OfferPricer }) => {
    // Hot reads from memory, dropped on every node by the catalogue's NOTIFY (issue 15). Game pages are a few KB
    // each, result lists (search, home) some tens: bounded by count accordingly.
    const channel = CATALOG_CHANNEL;
    const [pages, lists, indexes, rows, games, offers] = await Promise.all([
      p.cache<StoreGamePage>({ channel, ttlMs: 600_000, max: 20_000 }),
      p.cache<SearchResult | HomePage>({ channel, ttlMs: 300_000, max: 2_000 }),
      p.cache<TitleIndex | SearchIndex>({ channel, ttlMs: 3_600_000, max: 2 }),
      p.cache<ListedGameRow | null>({ channel, ttlMs: 600_000, max: 20_000 }),
      p.cache<GameRow | null>({ channel, ttlMs: 600_000, max: 20_000 }),
      p.cache<GamePageRow | null>({ channel, ttlMs: 600_000, max: 20_000 }),
    ]);
    // The storefront prices through the promotions in memory (a later module: read when a price is asked for).
    const catalog = new CatalogService(
      new CatalogStore(kyselyFor<CatalogTables>(p.pool)),
      p.clock,
      { offer: (item, country) => s.promotions.offer(item, country), epoch: () => s.promotions.epoch() },
      { pages, lists, indexes, rows, games, offers },
    );
    catalog.warm();
    return {
      provides: { catalog },
      routes: async (app) => {
        catalogRoutes(app, { catalog, guards: s.guards });
        await mediaRoutes(app, { guards: s.guards, mediaDir: join(p.config.dataDir, 'media'), maxBytes: p.config.maxUploadBytes });
      },
    };
  },
});
