import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { systemClock } from './platform/clock.ts';
import { ensureDatabase } from './platform/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './platform/db/embedded.ts';
import { createStore, type Store } from './app.ts';
import { seedDemoCatalog } from './catalog/demo-catalog.ts';

/** Development keeps a generated secret in the data folder so sessions survive restarts; production must set AUTH_SECRET. */
function authSecret(config: Config): string {
  if (config.authSecret) return config.authSecret;
  const file = join(config.dataDir, 'auth-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

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

  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'pg'), port: config.embeddedPgPort, log });
    databaseUrl = embedded.url.replace(/\/postgres$/, '/store');
    await ensureDatabase(databaseUrl);
  }

  let store: Store | undefined;
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await store?.close().catch((err) => log.error({ err }, 'closing the store failed'));
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    store = await createStore({ config, databaseUrl, clock: systemClock, authSecret: authSecret(config) });
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
    await embedded?.stop();
    process.exit(1);
  }
}

void main();
