import { sql, type Kysely, type Migration } from 'kysely';

export const orderMigrations: Record<string, Migration> = {
  '2026-11-24-07-orders': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table orders (
          id uuid primary key,
          user_id text not null,
          idempotency_key text not null,
          game_id uuid not null,
          edition_id uuid not null,
          kind text not null check (kind in ('preorder', 'purchase')),
          status text not null check (status in ('pending', 'paid', 'cancelled', 'refund_pending', 'refunded')),
          currency text not null,
          list_minor bigint not null check (list_minor >= 0),
          discount_minor bigint not null check (discount_minor >= 0),
          price_minor bigint not null check (price_minor >= 0),
          points_used bigint not null check (points_used >= 0),
          paid_minor bigint not null check (paid_minor >= 0),
          points_earned bigint not null default 0,
          payment_method text not null,
          payment_id text,
          approval_url text,
          store_country text not null,
          failure_code text,
          failure_message text,
          refunded_minor bigint,
          refund_points_shortfall bigint,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          unique (user_id, idempotency_key)
        )`.execute(db);
      // D4: at most one live order of a game per user, whatever races the clicks run into.
      await sql`create unique index orders_one_live_per_game on orders (user_id, game_id) where status in ('pending', 'paid', 'refund_pending')`.execute(
        db,
      );
      await sql`create index orders_user on orders (user_id, created_at desc)`.execute(db);
      await sql`
        create table library (
          user_id text not null,
          game_id uuid not null,
          order_id uuid not null references orders (id),
          acquired_at timestamptz not null,
          primary key (user_id, game_id)
        )`.execute(db);
      await sql`
        create table payment_events (
          event_id text primary key,
          payment_id text not null,
          type text not null,
          received_at timestamptz not null
        )`.execute(db);
    },
  },
  '2026-11-24-11-orders-gift': {
    async up(db: Kysely<unknown>) {
      // A gift is a new purchase by the sender (S2.2) that never enters the sender's library: it is not one of
      // the sender's "live orders of a game", so a player may gift a game they own, or gift it to two friends.
      await sql`alter table orders add column gift boolean not null default false`.execute(db);
      await sql`drop index orders_one_live_per_game`.execute(db);
      await sql`create unique index orders_one_live_per_game on orders (user_id, game_id) where status in ('pending', 'paid', 'refund_pending') and not gift`.execute(
        db,
      );
    },
  },
  '2026-12-02-03-orders-approval-deadline-refund-attempts': {
    async up(db: Kysely<unknown>) {
      // The wallet approval deadline is fixed once, when the buyer is first sent to approve: a re-run of the charge
      // after a crash keeps it instead of starting a new one.
      await sql`alter table orders add column approval_expires_at timestamptz`.execute(db);
      // A refund saga is one attempt: one that was refused (and put the order back to paid) must not answer for
      // every later request, so each attempt has its own saga id.
      await sql`alter table orders add column refund_attempts integer not null default 0`.execute(db);
    },
  },
  '2026-12-06-01-payment-event-notify': {
    async up(db: Kysely<unknown>) {
      // A webhook recorded on one node wakes the saga waiting for that payment on whichever node runs it
      // (payments/signals.ts): NOTIFY at commit with the payment id.
      await sql`
        create function notify_payment_event() returns trigger language plpgsql as $$
        begin
          perform pg_notify('payment_event', new.payment_id);
          return null;
        end $$`.execute(db);
      await sql`create trigger payment_event_recorded after insert on payment_events for each row execute function notify_payment_event()`.execute(
        db,
      );
    },
  },
  '2026-12-07-01-orders-cart': {
    async up(db: Kysely<unknown>) {
      // A cart bought in one checkout (R5's bundles): one order per game as before — refunds, the library and
      // points stay per game — grouped by the checkout whose one payment pays them all (the PG's order reference).
      await sql`alter table orders add column checkout_id uuid`.execute(db);
      await sql`create index orders_checkout on orders (checkout_id) where checkout_id is not null`.execute(db);
      // The player's cart: kept on the server, so it follows them from device to device.
      await sql`
        create table cart_items (
          user_id text not null,
          game_id uuid not null,
          edition_id uuid,
          added_at timestamptz not null,
          -- The order games were put in (the store's clock may stand still in tests and demos).
          seq bigint generated always as identity,
          primary key (user_id, game_id)
        )`.execute(db);
    },
  },
};
