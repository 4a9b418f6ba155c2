import { sql, type Kysely, type Migration } from 'kysely';

export const waitingRoomMigrations: Record<string, Migration> = {
  '2026-12-03-02-waiting-rooms': {
    async up(db: Kysely<unknown>) {
      // A waiting room in front of one game's checkout (R6): from `starts_at` to `ends_at` checkout needs an admission.
      // `ranked` and `next_position` are the queue's state, changed under this row's lock (service.ts says how).
      await sql`
        create table waiting_rooms (
          id uuid primary key,
          game_id uuid not null,
          name text not null,
          starts_at timestamptz not null,
          ends_at timestamptz,
          time_zone text not null,
          rate_per_minute integer not null check (rate_per_minute > 0),
          token_ttl_seconds integer not null check (token_ttl_seconds > 0),
          status text not null check (status in ('active', 'ended')),
          ranked boolean not null default false,
          next_position bigint not null default 1,
          created_by text,
          created_at timestamptz not null,
          check (ends_at is null or ends_at > starts_at)
        )`.execute(db);
      await sql`create index waiting_rooms_game on waiting_rooms (game_id) where status = 'active'`.execute(db);
      // One ticket per account and room: a second tab or a bot's retries land on the same place in the queue.
      await sql`
        create table waiting_room_tickets (
          id uuid primary key,
          room_id uuid not null references waiting_rooms (id),
          user_id text not null,
          joined_at timestamptz not null,
          early boolean not null,
          random_key double precision not null,
          position bigint,
          used_at timestamptz,
          order_id uuid,
          unique (room_id, user_id),
          unique (room_id, position)
        )`.execute(db);
      await sql`create index waiting_room_tickets_unranked on waiting_room_tickets (room_id, random_key) where position is null`.execute(
        db,
      );
      await sql`create index waiting_room_tickets_order on waiting_room_tickets (order_id) where order_id is not null`.execute(db);
    },
  },
};
