import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { freePort } from '../test/ports.ts';

/**
 * A fresh database for one benchmark run, so the numbers never depend on what an earlier run left: on
 * DATABASE_URL's server, or on an embedded PostgreSQL in `<dataDir>/bench-pg`. `stop()` stops the embedded one.
 */
export async function benchDatabase(
  name: string,
  dataDir: string,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dir: join(dataDir, 'bench-pg'), port: await freePort(), log });
  const adminUrl = process.env.DATABASE_URL ?? server!.url;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  return { url: adminUrl.replace(/\/[^/]*$/, `/${name}`), stop: async () => void (await server?.stop()) };
}
