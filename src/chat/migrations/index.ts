import { sql, type Kysely, type Migration } from 'kysely';

export const chatMigrations: Record<string, Migration> = {
  '2026-12-03-04-chat': {
    async up(db: Kysely<unknown>) {
      // Conversations: 1:1 between two friends (pair_key keeps one per pair) or a group with an owner (R14).
      await sql`
        create table chat_conversations (
          id uuid primary key,
          kind text not null check (kind in ('direct', 'group')),
          name text,
          owner_id text,
          pair_key text unique,
          created_at timestamptz not null
        )`.execute(db);
      await sql`
        create table chat_members (
          conversation_id uuid not null references chat_conversations (id),
          user_id text not null,
          joined_at timestamptz not null,
          last_read_seq bigint not null default 0,
          primary key (conversation_id, user_id)
        )`.execute(db);
      await sql`create index chat_members_user on chat_members (user_id)`.execute(db);
      // Messages: `seq` orders everything a client has seen (one resume cursor per client); `id` is what is exposed.
      await sql`
        create table chat_messages (
          seq bigserial primary key,
          id uuid not null unique,
          conversation_id uuid not null references chat_conversations (id),
          sender_id text not null,
          body text not null check (length(body) between 1 and 4000),
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index chat_messages_conversation on chat_messages (conversation_id, seq)`.execute(db);
    },
  },
  '2026-12-03-05-chat-presence': {
    async up(db: Kysely<unknown>) {
      // Presence across nodes (R14): each node refreshes last_seen_at of the users connected to it every 15 s; a user
      // is online while it is recent. Privacy: who may see it (everyone, friends, nobody).
      await sql`
        create table chat_presence (
          user_id text primary key,
          state text not null default 'offline' check (state in ('online', 'away', 'offline')),
          last_seen_at timestamptz,
          privacy text not null default 'friends' check (privacy in ('everyone', 'friends', 'nobody'))
        )`.execute(db);
    },
  },
  '2026-12-03-06-chat-moderation': {
    async up(db: Kysely<unknown>) {
      // Reports of messages, one per reporter and message, for operators to review; mutes (until a time) and bans
      // (no end) that stop a user from sending (R14).
      await sql`
        create table chat_reports (
          id uuid primary key,
          message_id uuid not null references chat_messages (id),
          reporter_id text not null,
          reason text not null,
          created_at timestamptz not null,
          unique (message_id, reporter_id)
        )`.execute(db);
      await sql`
        create table chat_mutes (
          user_id text primary key,
          until timestamptz,
          reason text not null,
          by_id text not null,
          at timestamptz not null
        )`.execute(db);
    },
  },
  '2026-12-04-02-chat-reports-handled': {
    async up(db: Kysely<unknown>) {
      // An operator dismisses a message's reports or acts on them: they leave the list (kept for the record).
      await sql`alter table chat_reports add column resolved_at timestamptz`.execute(db);
    },
  },
  '2026-12-07-02-chat-notify': {
    async up(db: Kysely<unknown>) {
      // Each node keeps conversations, their members and mutes in memory (store.ts): a change, whoever makes it, is
      // announced at commit — the conversation's id, or mute:<user>. Read receipts (last_read_seq) announce nothing.
      await sql`
        create function chat_changed() returns trigger language plpgsql as $$
        begin
          if tg_table_name = 'chat_mutes' then
            perform pg_notify('chat_changed', 'mute:' || coalesce(new.user_id, old.user_id));
          elsif tg_table_name = 'chat_members' then
            perform pg_notify('chat_changed', coalesce(new.conversation_id, old.conversation_id)::text);
          else
            perform pg_notify('chat_changed', coalesce(new.id, old.id)::text);
          end if;
          return null;
        end $$`.execute(db);
      await sql`create trigger chat_members_changed after insert or delete on chat_members for each row execute function chat_changed()`.execute(
        db,
      );
      await sql`create trigger chat_conversations_changed after update or delete on chat_conversations for each row execute function chat_changed()`.execute(
        db,
      );
      await sql`create trigger chat_mutes_changed after insert or update or delete on chat_mutes for each row execute function chat_changed()`.execute(
        db,
      );
    },
  },
  '2026-12-04-01-chat-link-previews': {
    async up(db: Kysely<unknown>) {
      // Previews of links in messages, one per URL, fetched once (title null: the page had none or was refused).
      await sql`
        create table chat_link_previews (
          url text primary key,
          title text,
          description text,
          site text,
          fetched_at timestamptz not null
        )`.execute(db);
    },
  },
};
