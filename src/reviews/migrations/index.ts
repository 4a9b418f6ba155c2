import { sql, type Kysely, type Migration } from 'kysely';

export const reviewMigrations: Record<string, Migration> = {
  '2026-12-02-15-reviews': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table reviews (
          id uuid primary key,
          user_id text not null,
          game_id uuid not null,
          recommended boolean not null,
          body text not null,
          language text not null,
          playtime_minutes integer not null,
          helpful integer not null default 0,
          unhelpful integer not null default 0,
          funny integer not null default 0,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          unique (user_id, game_id)
        )`.execute(db);
      await sql`create index reviews_game on reviews (game_id, created_at desc)`.execute(db);
      // One vote per voter and review: helpful yes/no, and funny apart from it.
      await sql`
        create table review_votes (
          review_id uuid not null references reviews (id) on delete cascade,
          user_id text not null,
          helpful boolean,
          funny boolean not null default false,
          primary key (review_id, user_id)
        )`.execute(db);
    },
  },
};
