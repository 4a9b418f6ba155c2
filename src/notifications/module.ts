import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import { notificationMigrations } from './migrations/index.ts';
import { notificationRoutes } from './routes.ts';
import { NotificationService } from './service.ts';
import { NotificationStore, type NotificationTables } from './store.ts';

/** In-app notifications: written with the change they announce, pushed live where a connection listens. */
export const notificationsModule = storeModule({
  name: 'notifications',
  migrations: notificationMigrations,
  tags: [{ name: 'notifications', description: 'In-app notifications' }],
  create: (p, s: { guards: Guards }) => {
    const notifications = new NotificationService(new NotificationStore(kyselyFor<NotificationTables>(p.pool)), p.clock);
    return { provides: { notifications }, routes: (app) => notificationRoutes(app, { notifications, guards: s.guards }) };
  },
});
