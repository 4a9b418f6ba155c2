import { sql, type Kysely, type Migration } from 'kysely';

export const promotionMigrations: Record<string, Migration> = {
  '2026-11-24-06-promotions-preorder-discounts': {
    async up(db: Kysely<unknown>) {
      // A rule stored as data (R5): changed by operators while the store runs, read at every quote.
      await sql`
        create table preorder_discounts (
          game_id uuid primary key,
          percent_off integer not null check (percent_off between 1 and 90),
          updated_at timestamptz not null
        )`.execute(db);
    },
  },
};
