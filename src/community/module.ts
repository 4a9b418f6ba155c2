import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import { censored } from '../chat/profanity.ts';
import { communityMigrations } from './migrations/index.ts';
import { communityRoutes } from './routes.ts';
import { CommunityService } from './service.ts';
import { CommunityStore, type CommunityTables } from './store.ts';

/** Community (R14): discussion boards per game, pinned and locked by operators. */
export const communityModule = storeModule({
  name: 'community',
  migrations: communityMigrations,
  tags: [{ name: 'community', description: 'Discussion boards per game: threads, replies; pinned and locked by operators (R14)' }],
  create: (p, s: { guards: Guards; accounts: AccountService; catalog: CatalogService }) => {
    const community = new CommunityService({
      store: new CommunityStore(kyselyFor<CommunityTables>(p.pool)),
      clock: p.clock,
      ports: {
        gamePublished: (id) => s.catalog.isPublished(id),
        names: async (ids) => new Map((await s.accounts.people(ids)).map((x) => [x.id, x.name])),
        clean: censored,
      },
    });
    return { provides: { community }, routes: (app) => communityRoutes(app, { community, guards: s.guards }) };
  },
});
