import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CatalogService } from '../catalog/service.ts';
import { waitingRoomMigrations } from './migrations/index.ts';
import { waitingRoomRoutes } from './routes.ts';
import { WaitingRoomService } from './service.ts';
import { WaitingRoomStore, type WaitingRoomTables } from './store.ts';

/** The waiting room (R6): the queue in front of a launch or a sale, and the admissions that let buyers through. */
export const waitingRoomModule = storeModule({
  name: 'waiting-room',
  migrations: waitingRoomMigrations,
  tags: [{ name: 'waiting-room', description: 'The queue in front of a launch or a sale: join, position, ETA, admission (R6)' }],
  create: (p, s: { guards: Guards; catalog: CatalogService }) => {
    const admission = new WaitingRoomStore(kyselyFor<WaitingRoomTables>(p.pool));
    const waitingRooms = new WaitingRoomService({
      store: admission,
      clock: p.clock,
      secret: `${p.authSecret}:admission`,
      gameExists: async (id) => (await s.catalog.existingIds([id])).has(id),
    });
    return {
      provides: { waitingRooms, admission },
      routes: (app) => waitingRoomRoutes(app, { rooms: waitingRooms, guards: s.guards }),
    };
  },
});
