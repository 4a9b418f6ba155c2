import { kyselyFor } from '../platform/db/database.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import { alertMigrations } from './migrations/index.ts';
import { alertRoutes } from './routes.ts';
import { AlertService } from './service.ts';
import { AlertStore, type AlertTables } from './store.ts';

/** Operator alerts: what needs a person (a payment the PG and the store disagree on, a saga out of retries). */
export const alertsModule = storeModule({
  name: 'alerts',
  migrations: alertMigrations,
  create: (p, s: { guards: Guards }) => {
    const alerts = new AlertService(new AlertStore(kyselyFor<AlertTables>(p.pool)), p.clock, {
      email: p.config.alertEmail,
      publicUrl: p.config.publicUrl,
      log: p.log,
    });
    return {
      provides: { alerts },
      routes: (app) => alertRoutes(app, { alerts, guards: s.guards }),
      gauges: { store_open_alerts: { help: 'Operator alerts not yet resolved', read: () => alerts.openCount() } },
    };
  },
});
