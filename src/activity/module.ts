import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CatalogService } from '../catalog/service.ts';
import { activityMigrations } from './migrations/index.ts';
import { activityRoutes } from './routes.ts';
import { ActivityService } from './service.ts';
import { ActivityStore, type ActivityTables } from './store.ts';

/** Activity: wishlists, and play sessions reported by the launcher (playtime, recently played, playing now). */
export const activityModule = storeModule({
  name: 'activity',
  migrations: activityMigrations,
  tags: [
    { name: 'wishlist', description: 'Games a player wants (a recommendation signal)' },
    { name: 'play', description: 'Launcher API: play sessions with heartbeats, playtime and recently played' },
  ],
  create: (p, s: { guards: Guards; catalog: CatalogService; orderStore: { owns(userId: string, gameId: string): Promise<unknown> } }) => {
    const activity = new ActivityService({
      store: new ActivityStore(kyselyFor<ActivityTables>(p.pool)),
      clock: p.clock,
      owns: async (userId, gameId) => (await s.orderStore.owns(userId, gameId)) !== undefined,
      published: (gameId) => s.catalog.isPublished(gameId),
      cards: (ids, shopper) => s.catalog.cards(ids, shopper),
      heartbeatSeconds: p.config.playHeartbeatSeconds,
    });
    return { provides: { activity }, routes: (app) => activityRoutes(app, { activity, guards: s.guards }) };
  },
});
