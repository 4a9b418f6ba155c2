import { sql, type Kysely, type Migration } from 'kysely';

export const alertMigrations: Record<string, Migration> = {
  '2026-12-02-02-alerts': {
    async up(db: Kysely<unknown>) {
      // One open alert per (kind, subject): raising it again counts, it does not flood the operators.
      await sql`
        create table alerts (
          id uuid primary key,
          kind text not null,
          subject text not null,
          message text not null,
          details jsonb not null default '{}',
          count integer not null default 1,
          raised_at timestamptz not null,
          last_raised_at timestamptz not null,
          resolved_at timestamptz,
          resolved_by text
        )`.execute(db);
      await sql`create unique index alerts_one_open on alerts (kind, subject) where resolved_at is null`.execute(db);
      await sql`create index alerts_recent on alerts (last_raised_at desc)`.execute(db);
    },
  },
};
