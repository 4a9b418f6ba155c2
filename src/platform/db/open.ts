import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { ensureDatabase } from './database.ts';
import { startEmbeddedPostgres } from './embedded.ts';

/** DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR/pg with a database named "store". */
export async function openDatabase(config: Config, log: Pick<Logger, 'info' | 'warn'>): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined };
  const embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'pg'), port: config.embeddedPgPort, log });
  const url = embedded.url.replace(/\/postgres$/, '/store');
  await ensureDatabase(url);
  return { url, stop: () => embedded.stop() };
}
