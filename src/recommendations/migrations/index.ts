import { sql, type Kysely, type Migration } from 'kysely';

export const recommendationMigrations: Record<string, Migration> = {
  '2026-12-02-12-recommendations': {
    async up(db: Kysely<unknown>) {
      // The recommender's own projection of the event log: what each user has, wants and plays.
      await sql`
        create table rec_signals (
          user_id text not null,
          game_id uuid not null,
          owned boolean not null default false,
          wishlisted boolean not null default false,
          play_seconds bigint not null default 0,
          updated_at timestamptz not null,
          primary key (user_id, game_id)
        )`.execute(db);
      await sql`create index rec_signals_recent on rec_signals (user_id, updated_at desc)`.execute(db);
      await sql`
        create table rec_country_sales (
          country text not null,
          game_id uuid not null,
          sales integer not null,
          primary key (country, game_id)
        )`.execute(db);
      await sql`
        create table rec_models (
          id uuid primary key,
          status text not null check (status in ('running', 'done', 'failed')),
          started_at timestamptz not null,
          finished_at timestamptz,
          users integer,
          games integer,
          interactions integer,
          train_ms integer,
          metrics jsonb,
          error text
        )`.execute(db);
      await sql`
        create table rec_lists (
          user_id text primary key,
          model_id uuid not null,
          trained_at timestamptz not null,
          items jsonb not null
        )`.execute(db);
      await sql`
        create table rec_similar (
          game_id uuid primary key,
          model_id uuid not null,
          items jsonb not null
        )`.execute(db);
    },
  },
};

export const reviewSignalMigrations: Record<string, Migration> = {
  '2026-12-02-16-recommendations-review-verdict': {
    async up(db: Kysely<unknown>) {
      // The player's review verdict on the game, when they wrote one (R9: ratings weigh in).
      await sql`alter table rec_signals add column recommended boolean`.execute(db);
    },
  },
};

export const genrePickMigrations: Record<string, Migration> = {
  '2026-12-02-17-recommendations-genre-picks': {
    async up(db: Kysely<unknown>) {
      // Cold start: the genres a new player says they like.
      await sql`create table rec_genre_picks (user_id text primary key, genres text[] not null, updated_at timestamptz not null)`.execute(
        db,
      );
    },
  },
};

export const socialMigrations: Record<string, Migration> = {
  '2026-12-02-18-recommendations-sns': {
    async up(db: Kysely<unknown>) {
      // Mentions of games in public social posts (R9), once per post and game, and each feed's cursor.
      await sql`
        create table rec_sns_mentions (
          game_id uuid not null,
          post_id text not null,
          feed text not null,
          sentiment real not null,
          at timestamptz not null,
          primary key (game_id, post_id)
        )`.execute(db);
      await sql`create index rec_sns_mentions_at on rec_sns_mentions (at)`.execute(db);
      await sql`create table rec_sns_cursors (feed text primary key, since text not null)`.execute(db);
    },
  },
};

export const discoveryMigrations: Record<string, Migration> = {
  '2026-12-02-19-recommendations-discovery-queue': {
    async up(db: Kysely<unknown>) {
      // The discovery queue's marks: seen (skipped for a week) or not interested (never recommended again).
      await sql`
        create table rec_queue_marks (
          user_id text not null,
          game_id uuid not null,
          mark text not null check (mark in ('seen', 'not_interested')),
          at timestamptz not null,
          primary key (user_id, game_id)
        )`.execute(db);
    },
  },
};

export const releaseMailMigrations: Record<string, Migration> = {
  '2026-12-02-14-recommendations-release-mail': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table release_campaigns (
          game_id uuid primary key,
          slug text not null,
          status text not null check (status in ('choosing', 'sending', 'done')),
          scored integer,
          chosen integer,
          created_at timestamptz not null,
          finished_at timestamptz
        )`.execute(db);
      // One row per chosen user: the mail is enqueued and sent_at set in one transaction (no duplicate, no miss).
      await sql`
        create table release_recipients (
          game_id uuid not null,
          user_id text not null,
          score double precision not null,
          sent_at timestamptz,
          skipped text,
          clicked_at timestamptz,
          primary key (game_id, user_id)
        )`.execute(db);
      await sql`create index release_recipients_pending on release_recipients (game_id, score desc) where sent_at is null and skipped is null`.execute(
        db,
      );
      await sql`create index release_recipients_user_sent on release_recipients (user_id, sent_at) where sent_at is not null`.execute(db);
      await sql`create table release_mail_optouts (user_id text primary key, at timestamptz not null)`.execute(db);
    },
  },
};
