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
  '2026-12-03-01-promotions-rules': {
    async up(db: Kysely<unknown>) {
      // Promotions as data (R5): what they do (effect), to what and whom (targets), when (schedule in a time zone),
      // how they combine (stacking). Every node compiles the live ones into memory; `promotion_state.version` is
      // bumped in the same transaction as every change and announced with NOTIFY (live.ts).
      await sql`
        create table promotions (
          id uuid primary key,
          name text not null,
          system_key text unique,
          effect jsonb not null,
          targets jsonb not null,
          stacking text not null check (stacking in ('exclusive', 'best', 'priority')),
          priority integer not null default 0,
          starts_at timestamptz not null,
          ends_at timestamptz,
          time_zone text not null,
          status text not null check (status in ('active', 'paused', 'ended')),
          coupon_required boolean not null default false,
          budget integer check (budget > 0),
          version integer not null default 1,
          created_by text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          check (ends_at is null or ends_at > starts_at)
        )`.execute(db);
      await sql`create table promotion_state (id boolean primary key default true check (id), version bigint not null)`.execute(db);
      await sql`insert into promotion_state (id, version) values (true, 1)`.execute(db);
      // Usage of a redemption budget: one row per promotion, incremented under its row lock (D4, store.ts).
      await sql`create table promotion_usage (promotion_id uuid primary key references promotions (id), used integer not null check (used >= 0))`.execute(
        db,
      );
      await sql`
        create table promotion_coupons (
          code text primary key,
          promotion_id uuid not null references promotions (id),
          max_uses integer not null check (max_uses > 0),
          uses integer not null default 0 check (uses >= 0 and uses <= max_uses),
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index promotion_coupons_promotion on promotion_coupons (promotion_id)`.execute(db);
      // What each order redeemed: released again when the order is cancelled before it was paid.
      await sql`
        create table promotion_redemptions (
          promotion_id uuid not null references promotions (id),
          order_id uuid not null,
          user_id text not null,
          coupon_code text,
          at timestamptz not null,
          primary key (promotion_id, order_id)
        )`.execute(db);
      await sql`create index promotion_redemptions_order on promotion_redemptions (order_id)`.execute(db);
      await sql`
        create table promotion_audit (
          id bigserial primary key,
          promotion_id uuid not null references promotions (id),
          actor_id text,
          action text not null,
          before jsonb,
          after jsonb,
          at timestamptz not null
        )`.execute(db);
      await sql`create index promotion_audit_promotion on promotion_audit (promotion_id, id)`.execute(db);
      // The pre-order discount becomes one promotion per game (S1.6), ending by itself on release day (S1.16).
      await sql`
        insert into promotions (id, name, system_key, effect, targets, stacking, priority, starts_at, ends_at, time_zone, status,
                                created_at, updated_at)
        select gen_random_uuid(), 'Pre-order discount', 'preorder:' || game_id,
               jsonb_build_object('kind', 'percent_off', 'percent', percent_off),
               jsonb_build_object('games', jsonb_build_array(game_id), 'preorderOnly', true),
               'best', 0, '2000-01-01T00:00:00Z', null, 'UTC', 'active', updated_at, updated_at
          from preorder_discounts`.execute(db);
      await sql`drop table preorder_discounts`.execute(db);
    },
  },
};
