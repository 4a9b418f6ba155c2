import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { ActivityService } from '../activity/service.ts';
import { reviewMigrations } from './migrations/index.ts';
import { reviewRoutes } from './routes.ts';
import { ReviewService } from './service.ts';
import { ReviewStore, type ReviewTables } from './store.ts';

/** Reviews: ratings and reviews by owners, with their playtime, and helpful/funny votes. */
export const reviewsModule = storeModule({
  name: 'reviews',
  migrations: reviewMigrations,
  tags: [{ name: 'reviews', description: 'Ratings and reviews by owners, helpful/funny votes' }],
  create: (
    p,
    s: {
      guards: Guards;
      accounts: AccountService;
      catalog: CatalogService;
      activity: ActivityService;
      orderStore: { owns(userId: string, gameId: string): Promise<unknown> };
    },
  ) => {
    const reviews = new ReviewService({
      store: new ReviewStore(kyselyFor<ReviewTables>(p.pool)),
      clock: p.clock,
      owns: async (userId, gameId) => (await s.orderStore.owns(userId, gameId)) !== undefined,
      published: (gameId) => s.catalog.isPublished(gameId),
      playtimeMinutes: (userId, gameId) => s.activity.minutesPlayed(userId, gameId),
      names: async (ids) => new Map((await s.accounts.people(ids)).map((x) => [x.id, x.name])),
    });
    return { provides: { reviews }, routes: (app) => reviewRoutes(app, { reviews, guards: s.guards }) };
  },
});
