import pg from 'pg';
import { Kysely, PostgresDialect, Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Logger } from 'pino';

// BIGINT (int8) columns hold money in minor units and counts; they fit in a JS number far beyond any price.
pg.types.setTypeParser(20, (v) => Number(v));
// DATE columns are calendar dates (release dates), not instants: keep them as 'YYYY-MM-DD'.
pg.types.setTypeParser(1082, (v) => v);

export type Pool = pg.Pool;

export function createPool(connectionString: string, max = 20): Pool {
  const pool = new pg.Pool({ connectionString, max });
  // A server shutting down (57P01) or a dropped socket must not crash the process; queries still fail loudly.
  pool.on('error', () => undefined);
  return pool;
}

/** Each bounded context gets a Kysely typed with its own tables only, over the one shared pool. */
export function kyselyFor<Tables>(pool: Pool): Kysely<Tables> {
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}

/** Creates the database named in the URL if it does not exist (embedded server and per-test databases). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!found.rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Migrations of all contexts, applied in name order; names start with a date so order is global. */
export async function migrate(pool: Pool, migrations: Record<string, Migration>, log: Pick<Logger, 'info'>): Promise<void> {
  const db = kyselyFor<unknown>(pool);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({ db, provider, migrationTableSchema: 'public' });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) if (r.status === 'Success') log.info({ migration: r.migrationName }, 'migration applied');
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

export async function ping(pool: Pool): Promise<void> {
  await pool.query('select 1');
}
