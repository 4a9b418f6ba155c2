import { sql, type Kysely, type Migration } from 'kysely';

export const friendMigrations: Record<string, Migration> = {
  '2026-11-24-09-friends': {
    async up(db: Kysely<unknown>) {
      // One row per pair (user_low < user_high): a request and the friendship it becomes are the same row,
      // so two people asking each other at once cannot create two.
      await sql`
        create table friendships (
          user_low text not null,
          user_high text not null,
          requested_by text not null,
          status text not null check (status in ('pending', 'accepted')),
          created_at timestamptz not null,
          updated_at timestamptz not null,
          primary key (user_low, user_high),
          check (user_low < user_high)
        )`.execute(db);
      await sql`create index friendships_high on friendships (user_high)`.execute(db);
      await sql`
        create table blocks (
          blocker text not null,
          blocked text not null,
          created_at timestamptz not null,
          primary key (blocker, blocked)
        )`.execute(db);
    },
  },
};
