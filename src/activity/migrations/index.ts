import { sql, type Kysely, type Migration } from 'kysely';

export const activityMigrations: Record<string, Migration> = {
  '2026-12-02-11-activity': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table wishlist (
          user_id text not null,
          game_id uuid not null,
          added_at timestamptz not null,
          primary key (user_id, game_id)
        )`.execute(db);
      await sql`
        create table play_sessions (
          id uuid primary key,
          user_id text not null,
          game_id uuid not null,
          started_at timestamptz not null,
          last_beat_at timestamptz not null,
          ended_at timestamptz
        )`.execute(db);
      // At most one open session per user and game: a second start resumes it.
      await sql`create unique index play_sessions_open on play_sessions (user_id, game_id) where ended_at is null`.execute(db);
      await sql`create index play_sessions_user on play_sessions (user_id, last_beat_at desc)`.execute(db);
    },
  },
};
