import { sql, type Kysely, type Migration } from 'kysely';

/**
 * D3: the columns every query filters or sorts on are typed columns with indexes; text that varies by
 * language lives in JSONB maps (one row per game, no join per language), and `attributes` takes new
 * business fields without a migration. Prices are rows so that one country's price is one index lookup.
 */
export const catalogMigrations: Record<string, Migration> = {
  '2026-11-24-01-catalog-games': {
    async up(db: Kysely<unknown>) {
      await sql`create extension if not exists pg_trgm`.execute(db);
      await sql`
        create table games (
          id uuid primary key,
          slug text not null unique,
          status text not null check (status in ('draft', 'published')),
          default_language text not null,
          title jsonb not null,
          summary jsonb not null default '{}',
          description jsonb not null default '{}',
          genres text[] not null default '{}',
          tags text[] not null default '{}',
          developer text not null,
          publisher text not null,
          release_date date,
          cover_url text,
          screenshots text[] not null default '{}',
          sale_mode text not null check (sale_mode in ('everywhere', 'only', 'except')),
          sale_countries text[] not null default '{}',
          play_mode text not null check (play_mode in ('everywhere', 'only', 'except')),
          play_countries text[] not null default '{}',
          popularity integer not null default 0,
          attributes jsonb not null default '{}',
          search_doc tsvector not null,
          search_title text not null,
          version integer not null default 1,
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`create index games_search_doc on games using gin (search_doc)`.execute(db);
      await sql`create index games_search_title_trgm on games using gin (search_title gin_trgm_ops)`.execute(db);
      await sql`create index games_genres on games using gin (genres)`.execute(db);
      await sql`create index games_published_release on games (release_date desc nulls first, id) where status = 'published'`.execute(db);
      await sql`create index games_published_popularity on games (popularity desc, id) where status = 'published'`.execute(db);
      await sql`
        create table game_editions (
          id uuid primary key,
          game_id uuid not null references games (id) on delete cascade,
          code text not null,
          name jsonb not null,
          position integer not null,
          unique (game_id, code),
          unique (game_id, position)
        )`.execute(db);
      await sql`
        create table game_prices (
          edition_id uuid not null references game_editions (id) on delete cascade,
          game_id uuid not null references games (id) on delete cascade,
          country text not null,
          currency text not null,
          amount_minor bigint not null check (amount_minor >= 0),
          primary key (edition_id, country, currency)
        )`.execute(db);
      await sql`create index game_prices_game_country on game_prices (game_id, country)`.execute(db);
    },
  },
  '2026-11-24-03-catalog-search-words': {
    async up(db: Kysely<unknown>) {
      // The catalog's vocabulary, for typo tolerance: an unknown query word is replaced by its close words
      // here (trigram similarity over short words is precise and fast), then full-text search runs as usual.
      await sql`create table search_words (word text primary key, games integer not null default 1)`.execute(db);
      await sql`create index search_words_trgm on search_words using gin (word gin_trgm_ops)`.execute(db);
    },
  },
  '2026-11-24-14-games-ip-mismatch': {
    async up(db: Kysely<unknown>) {
      // R12: buying from another country than one's residence — allowed, allowed with a warning, or refused.
      await sql`alter table games add column ip_mismatch text not null default 'warn' check (ip_mismatch in ('allow', 'warn', 'block'))`.execute(
        db,
      );
    },
  },
  '2026-12-05-02-catalog-change-notify': {
    async up(db: Kysely<unknown>) {
      // Every node keeps game pages' rows in memory (CatalogService.storeGame); any write to a game, an edition or a
      // price — by the store, an import or psql — tells every node at commit (one notification per statement).
      await sql`
        create function notify_catalog_changed() returns trigger language plpgsql as $$
        begin
          perform pg_notify('catalog_changed', '');
          return null;
        end $$`.execute(db);
      for (const table of ['games', 'game_editions', 'game_prices']) {
        await sql`create trigger ${sql.raw(table + '_changed')} after insert or update or delete or truncate on ${sql.table(table)}
                  for each statement execute function notify_catalog_changed()`.execute(db);
      }
    },
  },
};
