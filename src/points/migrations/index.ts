import { sql, type Kysely, type Migration } from 'kysely';

export const pointsMigrations: Record<string, Migration> = {
  '2026-11-24-04-points-ledger': {
    async up(db: Kysely<unknown>) {
      // One balance row per user (the lock that serialises spends) and an append-only ledger that explains it.
      await sql`
        create table points_accounts (
          user_id text primary key,
          currency text not null,
          balance bigint not null default 0 check (balance >= 0),
          updated_at timestamptz not null
        )`.execute(db);
      await sql`
        create table points_ledger (
          id uuid primary key,
          seq bigint generated always as identity,
          user_id text not null references points_accounts (user_id),
          delta bigint not null check (delta <> 0),
          balance_after bigint not null check (balance_after >= 0),
          kind text not null check (kind in ('earn', 'spend', 'return_spent', 'revoke_earned', 'grant')),
          reference text not null unique,
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index points_ledger_user on points_ledger (user_id, seq desc)`.execute(db);
      // The ledger is append-only: history is never rewritten.
      await sql`
        create function points_ledger_append_only() returns trigger language plpgsql as $$
        begin raise exception 'points_ledger is append-only'; end $$`.execute(db);
      await sql`create trigger points_ledger_no_change before update or delete on points_ledger for each row execute function points_ledger_append_only()`.execute(
        db,
      );
    },
  },
  '2026-12-02-01-points-wallets': {
    async up(db: Kysely<unknown>) {
      // One wallet per user and currency: points earned on a KRW price stay KRW points, a USD purchase earns USD
      // points beside them, so earning can never be refused after the money was taken (no conversion rates).
      await sql`alter table points_ledger add column currency text`.execute(db);
      await sql`alter table points_ledger disable trigger points_ledger_no_change`.execute(db);
      await sql`update points_ledger l set currency = a.currency from points_accounts a where a.user_id = l.user_id`.execute(db);
      await sql`alter table points_ledger enable trigger points_ledger_no_change`.execute(db);
      await sql`alter table points_ledger alter column currency set not null`.execute(db);
      await sql`alter table points_ledger drop constraint points_ledger_user_id_fkey`.execute(db);
      await sql`alter table points_accounts drop constraint points_accounts_pkey`.execute(db);
      await sql`alter table points_accounts add primary key (user_id, currency)`.execute(db);
      await sql`alter table points_ledger add foreign key (user_id, currency) references points_accounts (user_id, currency)`.execute(db);
    },
  },
};
