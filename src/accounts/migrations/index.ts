import { sql, type Kysely, type Migration } from 'kysely';

export const accountMigrations: Record<string, Migration> = {
  '2026-11-24-02-accounts-profiles': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table account_profiles (
          user_id text primary key references "user" (id) on delete cascade,
          country text not null,
          language text not null,
          currency text not null,
          role text not null default 'player' check (role in ('player', 'operator')),
          country_changed_at timestamptz,
          created_at timestamptz not null
        )`.execute(db);
    },
  },
};
