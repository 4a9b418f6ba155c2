import { sql, type Kysely, type Migration } from 'kysely';

export const giftMigrations: Record<string, Migration> = {
  '2026-11-24-12-gifts': {
    async up(db: Kysely<unknown>) {
      // A gift is an order of the sender (same id) plus who receives it, when, and what became of it.
      await sql`
        create table gifts (
          id uuid primary key references orders (id),
          sender_id text not null,
          recipient_id text not null,
          game_id uuid not null,
          game_title text not null,
          message text not null,
          state text not null check (state in ('paying', 'payment_failed', 'scheduled', 'delivered', 'accepted', 'declined', 'expired', 'cancelled')),
          deliver_at timestamptz not null,
          delivered_at timestamptz,
          expires_at timestamptz,
          settled_at timestamptz,
          sender_country text not null,
          recipient_country text not null,
          recipient_time_zone text not null,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          check (sender_id <> recipient_id)
        )`.execute(db);
      // S2.5: at most one gift of a game on its way to a recipient, whoever sends it.
      await sql`create unique index gifts_one_pending on gifts (recipient_id, game_id) where state in ('paying', 'scheduled', 'delivered')`.execute(
        db,
      );
      await sql`create index gifts_sender on gifts (sender_id, created_at desc)`.execute(db);
      await sql`create index gifts_recipient on gifts (recipient_id, created_at desc)`.execute(db);
      await sql`create index gifts_created on gifts (created_at)`.execute(db);
    },
  },
  '2026-12-03-03-gifts-game-titles': {
    async up(db: Kysely<unknown>) {
      // The game's title in every language at the time of purchase: each reader sees it in their own (issue: gift
      // titles reached recipients in the sender's language). Older gifts keep the one title they have.
      await sql`alter table gifts add column game_titles jsonb not null default '{}'::jsonb`.execute(db);
    },
  },
};
