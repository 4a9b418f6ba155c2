import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import { pointsMigrations } from './migrations/index.ts';
import { pointsRoutes } from './routes.ts';
import { PointsService } from './service.ts';
import { PointsStore, type PointsTables } from './store.ts';

/** Points (S1.6, S1.9): a wallet per currency, earned on purchases and spent at checkout. */
export const pointsModule = storeModule({
  name: 'points',
  migrations: pointsMigrations,
  tags: [{ name: 'points', description: 'Points balance and ledger' }],
  create: (p, s: { guards: Guards }) => {
    const points = new PointsService(new PointsStore(kyselyFor<PointsTables>(p.pool)), p.clock, p.config.pointsEarnRatePercent);
    return { provides: { points }, routes: (app) => pointsRoutes(app, { points, guards: s.guards }) };
  },
});
