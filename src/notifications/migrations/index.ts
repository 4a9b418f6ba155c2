import { sql, type Kysely, type Migration } from 'kysely';

export const notificationMigrations: Record<string, Migration> = {
  '2026-11-24-08-notifications': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table notifications (
          id uuid primary key,
          user_id text not null,
          kind text not null,
          payload jsonb not null,
          created_at timestamptz not null,
          read_at timestamptz
        )`.execute(db);
      await sql`create index notifications_user on notifications (user_id, created_at desc)`.execute(db);
    },
  },
};
