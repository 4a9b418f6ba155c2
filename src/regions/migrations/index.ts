import { sql, type Kysely, type Migration } from 'kysely';

export const regionMigrations: Record<string, Migration> = {
  '2026-11-24-15-region-decisions': {
    async up(db: Kysely<unknown>) {
      // R12: every region decision that refused something (or let it through with a warning), for operators.
      await sql`
        create table region_decisions (
          id uuid primary key,
          at timestamptz not null,
          user_id text,
          game_id uuid,
          action text not null,
          residence text,
          ip_country text,
          outcome text not null check (outcome in ('refused', 'warned')),
          reason text not null,
          message text not null
        )`.execute(db);
      await sql`create index region_decisions_at on region_decisions (at desc)`.execute(db);
      await sql`create index region_decisions_game on region_decisions (game_id, at desc)`.execute(db);
    },
  },
};
