import { sql, type Kysely, type Migration } from 'kysely';

export const accountMigrations: Record<string, Migration> = {
  '2026-11-24-02-accounts-profiles': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table account_profiles (
          user_id text primary key references "user" (id) on delete cascade,
          country text not null,
          language text not null,
          currency text not null,
          role text not null default 'player' check (role in ('player', 'operator')),
          country_changed_at timestamptz,
          created_at timestamptz not null
        )`.execute(db);
    },
  },
  '2026-11-24-13-accounts-time-zone': {
    async up(db: Kysely<unknown>) {
      // IANA zone the user lives in: a gift scheduled for "25 December, 09:00" means 09:00 where the recipient is.
      await sql`alter table account_profiles add column time_zone text not null default 'UTC'`.execute(db);
    },
  },
  '2026-12-02-05-accounts-id-token-uses': {
    async up(db: Kysely<unknown>) {
      // ID tokens presented to sign in, by hash: each is accepted once.
      await sql`create table id_token_uses (token_hash text primary key, used_at timestamptz not null)`.execute(db);
      await sql`create index id_token_uses_age on id_token_uses (used_at)`.execute(db);
    },
  },
  '2026-12-02-08-accounts-totp-code-uses': {
    async up(db: Kysely<unknown>) {
      // A TOTP code signs in once: codes that succeeded, per user, kept past their validity (at most 90 s).
      await sql`create table totp_code_uses (user_id text not null, code text not null, used_at timestamptz not null, primary key (user_id, code))`.execute(
        db,
      );
    },
  },
  '2026-12-02-20-accounts-passkeys': {
    async up(db: Kysely<unknown>) {
      // R7: WebAuthn credentials. credential_id is the authenticator's id (base64url), unique across all users.
      await sql`
        create table passkeys (
          id uuid primary key default gen_random_uuid(),
          user_id text not null references "user" (id) on delete cascade,
          credential_id text not null unique,
          public_key bytea not null,
          counter bigint not null default 0 check (counter >= 0),
          transports text[] not null default '{}',
          device_type text not null,
          backed_up boolean not null,
          aaguid text not null,
          name text not null,
          created_at timestamptz not null default now(),
          last_used_at timestamptz
        )`.execute(db);
      await sql`create index passkeys_user on passkeys (user_id)`.execute(db);
    },
  },
  '2026-11-24-16-accounts-refresh-tokens': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table refresh_tokens (
          id uuid primary key,
          family uuid not null,
          user_id text not null references "user" (id) on delete cascade,
          token_hash text not null unique,
          created_at timestamptz not null,
          expires_at timestamptz not null,
          used_at timestamptz,
          revoked_at timestamptz
        )`.execute(db);
      await sql`create index refresh_tokens_family on refresh_tokens (family)`.execute(db);
      await sql`create index refresh_tokens_user on refresh_tokens (user_id)`.execute(db);
    },
  },
  '2026-12-02-06-accounts-refresh-tokens-session': {
    async up(db: Kysely<unknown>) {
      // The session a family was issued to: signing that session out ends the family.
      await sql`alter table refresh_tokens add column session_id text`.execute(db);
      await sql`create index refresh_tokens_session on refresh_tokens (session_id) where revoked_at is null`.execute(db);
    },
  },
  '2026-12-05-01-accounts-change-notify': {
    async up(db: Kysely<unknown>) {
      // Every node keeps signed-in viewers in memory (AccountService.viewer); whatever changes a user, one of their
      // sessions or their profile — sign-out, revoked sessions, two-factor turned on, a new country or role, by the
      // store or by hand in psql — tells every node at commit which user to forget. The argument names the column
      // holding the user id.
      await sql`
        create function notify_account_changed() returns trigger language plpgsql as $$
        declare r record;
        begin
          if tg_op = 'DELETE' then r := old; else r := new; end if;
          perform pg_notify('account_changed', to_jsonb(r) ->> tg_argv[0]);
          return null;
        end $$`.execute(db);
      await sql`create trigger user_changed after update or delete on "user" for each row execute function notify_account_changed('id')`.execute(
        db,
      );
      await sql`create trigger session_changed after update or delete on session for each row execute function notify_account_changed('userId')`.execute(
        db,
      );
      await sql`create trigger profile_changed after insert or update or delete on account_profiles for each row execute function notify_account_changed('user_id')`.execute(
        db,
      );
    },
  },
};
