import { sql, type Kysely, type Migration } from 'kysely';

export const communityMigrations: Record<string, Migration> = {
  '2026-12-03-07-community-discussions': {
    async up(db: Kysely<unknown>) {
      // A discussion board per game (R14): threads (pinned and locked by operators) and their posts.
      await sql`
        create table community_threads (
          id uuid primary key,
          game_id uuid not null,
          author_id text not null,
          title text not null,
          pinned boolean not null default false,
          locked boolean not null default false,
          posts integer not null default 0,
          created_at timestamptz not null,
          last_post_at timestamptz not null
        )`.execute(db);
      await sql`create index community_threads_game on community_threads (game_id, pinned desc, last_post_at desc)`.execute(db);
      await sql`
        create table community_posts (
          id uuid primary key,
          thread_id uuid not null references community_threads (id),
          author_id text not null,
          body text not null check (length(body) between 1 and 8000),
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index community_posts_thread on community_posts (thread_id, created_at, id)`.execute(db);
    },
  },
};
