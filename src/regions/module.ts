import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import { RegionGate, type RegionTables } from './gate.ts';
import { ipCountryLookup } from './ip-country.ts';
import { regionMigrations } from './migrations/index.ts';
import { regionRoutes } from './routes.ts';

/** Regions (R12): where a game may be bought, played and received, the decisions recorded for operators. */
export const regionsModule = storeModule({
  name: 'regions',
  migrations: regionMigrations,
  create: (p, s: { guards: Guards }) => {
    const regions = new RegionGate(kyselyFor<RegionTables>(p.pool), p.clock);
    return {
      provides: { regions, ipCountry: ipCountryLookup(p.config.geoipMmdbFile) },
      routes: (app) => regionRoutes(app, { gate: regions, guards: s.guards }),
    };
  },
});
