import { sql, type Kysely, type Migration } from 'kysely';

export const feedMigrations: Record<string, Migration> = {
  '2026-12-02-21-feed-items': {
    async up(db: Kysely<unknown>) {
      // R14 R11: what players did (bought, reviewed, posted), projected from the domain event log. Each item has its
      // owner's visibility: everyone (and then shareable by link), friends (the default) or only me.
      await sql`
        create table feed_items (
          id uuid primary key,
          actor_id text not null,
          kind text not null check (kind in ('purchase', 'gift', 'review', 'post')),
          game_id uuid not null,
          ref text not null,
          detail jsonb not null default '{}',
          visibility text not null default 'friends' check (visibility in ('everyone', 'friends', 'private')),
          occurred_at timestamptz not null,
          unique (kind, ref)
        )`.execute(db);
      await sql`create index feed_items_actor on feed_items (actor_id, occurred_at desc)`.execute(db);
    },
  },
};
