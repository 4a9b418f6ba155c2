import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import { feedMigrations } from './migrations/index.ts';
import { feedRoutes } from './routes.ts';
import { FeedService } from './service.ts';
import { FeedStore, type FeedTables } from './store.ts';

/** The friends' activity feed (R14, R11), read from the domain event log, and shared items' public pages. */
export const feedModule = storeModule({
  name: 'feed',
  migrations: feedMigrations,
  tags: [{ name: 'feed', description: "Friends' activity feed with per-item visibility; shared items' public pages (R14, R11)" }],
  create: (
    p,
    s: { guards: Guards; accounts: AccountService; catalog: CatalogService; friends: { friendIds(userId: string): Promise<string[]> } },
  ) => {
    const feed = new FeedService({
      store: new FeedStore(kyselyFor<FeedTables>(p.pool)),
      friendIds: (id) => s.friends.friendIds(id),
      people: (ids) => s.accounts.people(ids),
      game: (id, language) => s.catalog.facts(id, language),
      publicUrl: p.config.publicUrl,
    });
    feed.subscribe(p.events);
    return { provides: { feed }, routes: (app) => feedRoutes(app, { feed, guards: s.guards, publicUrl: p.config.publicUrl }) };
  },
});
