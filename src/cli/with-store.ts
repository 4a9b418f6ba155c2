import pino from 'pino';
import { loadConfig, type Config } from '../platform/config.ts';
import { systemClock } from '../platform/clock.ts';
import { openDatabase } from '../platform/db/open.ts';
import { authSecret } from '../platform/secrets.ts';
import { createStore, type Store } from '../app.ts';

/**
 * What every command-line tool does around its work: the store `npm start` would open (same configuration, quiet
 * logs), the work, one sentence on stderr and exit code 1 if it fails, and the store and its database closed either way.
 */
export async function withStore(work: (store: Store, config: Config) => Promise<void>): Promise<void> {
  const config = { ...loadConfig(), logLevel: 'warn' as const };
  const database = await openDatabase(config, pino({ level: 'warn' }));
  const store = await createStore({ config, databaseUrl: database.url, clock: systemClock, authSecret: authSecret(config) });
  try {
    await work(store, config);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  } finally {
    await store.close();
    await database.stop();
  }
}
