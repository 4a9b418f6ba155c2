import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { NotificationService } from '../notifications/service.ts';
import { friendMigrations } from './migrations/index.ts';
import { friendRoutes } from './routes.ts';
import { FriendService } from './service.ts';
import { FriendStore, type FriendTables } from './store.ts';

/** Friends (S2.3): requests, friendships and blocks. */
export const friendsModule = storeModule({
  name: 'friends',
  migrations: friendMigrations,
  tags: [{ name: 'friends', description: 'Friends, friend requests and blocks' }],
  create: (p, s: { guards: Guards; accounts: AccountService; notifications: NotificationService }) => {
    const friends = new FriendService(
      new FriendStore(kyselyFor<FriendTables>(p.pool)),
      s.accounts,
      p.transactions,
      s.notifications,
      p.clock,
      p.config.publicUrl,
    );
    return {
      provides: { friends },
      routes: (app) =>
        friendRoutes(app, {
          friends,
          guards: s.guards,
          requestLimit: p.limiter(p.config.friendRequestsPerHour, 3600),
          emailLookupLimit: p.limiter(30, 3600),
        }),
    };
  },
});
