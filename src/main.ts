import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { systemClock } from './platform/clock.ts';
import { openDatabase } from './platform/db/open.ts';
import { authSecret } from './platform/secrets.ts';
import { createStore, type Store } from './app.ts';
import { seedDemoCatalog } from './catalog/demo-catalog.ts';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });

  const database = await openDatabase(config, log);

  let store: Store | undefined;
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await store?.close().catch((err) => log.error({ err }, 'closing the store failed'));
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    store = await createStore({ config, databaseUrl: database.url, clock: systemClock, authSecret: authSecret(config) });
    if (config.operatorEmail && config.operatorPassword) {
      const op = await store.accounts.ensureOperator(config.operatorEmail, config.operatorPassword);
      log.info({ email: config.operatorEmail, created: op.created }, 'operator account ready');
    }
    const seeded = await seedDemoCatalog(store.catalog, systemClock, { mode: config.demoCatalog, dataDir: config.demoDataDir, size: config.demoCatalogSize });
    if (seeded.builtin || seeded.steam) log.info(seeded, 'demo catalog seeded');
    await store.app.listen({ host: config.host, port: config.port });
    log.info(`Game store running at ${config.publicUrl} (API docs at ${config.publicUrl}/docs)`);
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await store?.close().catch(() => undefined);
    await database.stop();
    process.exit(1);
  }
}

void main();
