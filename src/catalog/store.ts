import type { SuggestRow } from './suggest.ts';
import type { SearchIndexRow, VocabularyWord } from './search-index.ts';
import { sql, type Kysely, type Transaction, type Selectable, type Insertable, type ColumnType } from 'kysely';
import type { IpMismatchPolicy, RegionMode } from '../regions/policy.ts';
import { asTx, type Tx } from '../platform/db/tx.ts';

type Json<T> = ColumnType<T, string, string>;
type Ts = ColumnType<Date, Date, Date>;

export interface GamesTable {
  id: string;
  slug: string;
  status: 'draft' | 'published';
  default_language: string;
  title: Json<Record<string, string>>;
  summary: Json<Record<string, string>>;
  description: Json<Record<string, string>>;
  genres: string[];
  tags: string[];
  developer: string;
  publisher: string;
  release_date: string | null;
  cover_url: string | null;
  screenshots: string[];
  sale_mode: RegionMode;
  sale_countries: string[];
  play_mode: RegionMode;
  play_countries: string[];
  ip_mismatch: ColumnType<IpMismatchPolicy, IpMismatchPolicy | undefined, IpMismatchPolicy>;
  popularity: ColumnType<number, number | undefined, number>;
  attributes: Json<Record<string, unknown>>;
  search_doc: ColumnType<string, ReturnType<typeof sql>, ReturnType<typeof sql>>;
  search_title: string;
  version: number;
  created_at: Ts;
  updated_at: Ts;
}
export interface EditionsTable {
  id: string;
  game_id: string;
  code: string;
  name: Json<Record<string, string>>;
  position: number;
}
export interface PricesTable {
  edition_id: string;
  game_id: string;
  country: string;
  currency: string;
  amount_minor: number;
}
export interface SearchWordsTable {
  word: string;
  games: ColumnType<number, number | undefined, number>;
}
export interface CatalogTables {
  search_words: SearchWordsTable;
  games: GamesTable;
  game_editions: EditionsTable;
  game_prices: PricesTable;
}

export type GameRow = Omit<Selectable<GamesTable>, 'search_doc'>;
export type EditionRow = Selectable<EditionsTable>;
export type PriceRow = Selectable<PricesTable>;
/** A game row as lists need it, with the visitor's standard-edition price already resolved. */
export type ListedGameRow = GameRow & { price_amount: number | null; price_currency: string | null };
/** What a game card shows: a listed game without its description. */
export type CardRow = Omit<ListedGameRow, 'description'>;

export interface GameWrite {
  row: Omit<Insertable<GamesTable>, 'search_doc' | 'version' | 'created_at' | 'updated_at'>;
  search: { title: string; tags: string; body: string };
  /** Distinct Latin words of the game's texts, added to the vocabulary used for typo tolerance. */
  words: string[];
  editions: { id: string; code: string; name: Record<string, string>; position: number }[];
  prices: PriceRow[];
}

export interface ListFilter {
  genre?: string;
  minPrice?: number;
  maxPrice?: number;
  release?: 'released' | 'upcoming';
}

type Db = Kysely<CatalogTables>;

const gameColumns = [
  'id',
  'slug',
  'status',
  'default_language',
  'title',
  'summary',
  'description',
  'genres',
  'tags',
  'developer',
  'publisher',
  'release_date',
  'cover_url',
  'screenshots',
  'sale_mode',
  'sale_countries',
  'play_mode',
  'play_countries',
  'ip_mismatch',
  'popularity',
  'attributes',
  'search_title',
  'version',
  'created_at',
  'updated_at',
] as const;

/** Weighted search document: title A, tags/genres/developer B, summary and description C. */
const searchDoc = (s: GameWrite['search']) =>
  sql`setweight(to_tsvector('simple', ${s.title}), 'A') || setweight(to_tsvector('simple', ${s.tags}), 'B') || setweight(to_tsvector('simple', ${s.body}), 'C')`;

/** What the catalogue's triggers NOTIFY on when a game, an edition or a price changes (see migrations). */
export const CATALOG_CHANNEL = 'catalog_changed';

/** A game with its editions and the prices that apply in one country (and everywhere): what a game page needs. */
export type GamePageRow = GameRow & { editions: EditionRow[]; prices: PriceRow[] };

export class CatalogStore {
  constructor(readonly db: Db) {}

  transaction<T>(fn: (store: CatalogStore, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new CatalogStore(trx), asTx(trx)));
  }

  /**
   * Inserts games with their editions and prices; many at once for imports (demo catalog, benchmarks). A statement
   * carries at most 65,535 parameters (about 2,700 games' rows), so the rows go in slices of 500 games.
   */
  async insertGames(writes: GameWrite[], now: Date): Promise<void> {
    for (let i = 0; i < writes.length; i += 500) {
      const slice = writes.slice(i, i + 500);
      await this.db
        .insertInto('games')
        .values(slice.map((w) => ({ ...w.row, search_doc: searchDoc(w.search), version: 1, created_at: now, updated_at: now })))
        .execute();
      await this.db
        .insertInto('game_editions')
        .values(slice.flatMap((w) => w.editions.map((e) => ({ ...e, game_id: w.row.id, name: JSON.stringify(e.name) }))))
        .execute();
      const prices = slice.flatMap((w) => w.prices);
      for (let p = 0; p < prices.length; p += 5_000)
        await this.db
          .insertInto('game_prices')
          .values(prices.slice(p, p + 5_000))
          .execute();
    }
    await this.addWords(writes.flatMap((w) => w.words));
  }

  /** Words are only ever added: a word left by an edited game at worst suggests a correction that finds nothing. */
  private async addWords(words: string[]): Promise<void> {
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    if (!counts.size) return;
    await sql`
      insert into search_words (word, games)
      select * from unnest(${[...counts.keys()]}::text[], ${[...counts.values()]}::int[])
      on conflict (word) do update set games = search_words.games + excluded.games`.execute(this.db);
  }

  /**
   * For each query token: is it a word of the catalog, and if not, which catalog words are close to it.
   * Only unknown tokens pay for the trigram lookup; `%` uses pg_trgm's default similarity threshold (0.3),
   * which accepts one wrong, missing or extra letter in words of four letters and more.
   */
  async lookupWords(tokens: string[], correctable: string[]): Promise<Map<string, { known: boolean; close: string[] }>> {
    if (!tokens.length) return new Map();
    const r = await sql<{ tok: string; known: boolean; close: string[] }>`
      select t.tok, k.known,
        case when not k.known and t.tok = any(${correctable}::text[]) then array(
          select w.word from search_words w where w.word % t.tok
          order by similarity(w.word, t.tok) desc, w.games desc limit 3)
        else '{}'::text[] end as close
      from unnest(${tokens}::text[]) t(tok),
      lateral (select exists (select 1 from search_words w where w.word = t.tok) as known) k`.execute(this.db);
    return new Map(r.rows.map((row) => [row.tok, { known: row.known, close: row.close }]));
  }

  /** Optimistic lock (D4): the update only applies if nobody changed the game since `expectedVersion`. */
  async updateGame(w: GameWrite, expectedVersion: number, now: Date): Promise<boolean> {
    const { id, ...rest } = w.row;
    const res = await this.db
      .updateTable('games')
      .set({ ...rest, search_doc: searchDoc(w.search), version: sql`version + 1`, updated_at: now })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) return false;
    await this.db.deleteFrom('game_editions').where('game_id', '=', id).execute();
    await this.db
      .insertInto('game_editions')
      .values(w.editions.map((e) => ({ ...e, game_id: id, name: JSON.stringify(e.name) })))
      .execute();
    if (w.prices.length) await this.db.insertInto('game_prices').values(w.prices).execute();
    await this.addWords(w.words);
    return true;
  }

  async gameById(id: string): Promise<GameRow | undefined> {
    return this.db.selectFrom('games').select(gameColumns).where('id', '=', id).executeTakeFirst();
  }

  /**
   * A game page in one round trip: the game with its editions and the price entries that can apply to
   * one country (its own and the rest-of-world ones).
   */
  async gameWithOffers(key: string, isId: boolean, country: string): Promise<GamePageRow | undefined> {
    const r = await sql<GamePageRow>`
      select ${sql.raw(gameColumns.map((c) => 'g.' + c).join(', '))},
        (select coalesce(json_agg(json_build_object('id', e.id, 'game_id', e.game_id, 'code', e.code, 'name', e.name, 'position', e.position) order by e.position), '[]')
           from game_editions e where e.game_id = g.id) as editions,
        (select coalesce(json_agg(json_build_object('edition_id', p.edition_id, 'game_id', p.game_id, 'country', p.country, 'currency', p.currency, 'amount_minor', p.amount_minor)), '[]')
           from game_prices p where p.game_id = g.id and p.country in (${country}, '*')) as prices
      from games g where ${sql.ref(isId ? 'g.id' : 'g.slug')} = ${key}`.execute(this.db);
    return r.rows[0];
  }

  async slugTaken(slug: string, exceptId?: string): Promise<boolean> {
    let q = this.db.selectFrom('games').select('id').where('slug', '=', slug);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  /** Export: games in id order after `afterId`, with their editions and prices, `limit` at a time. */
  async gamesPage(afterId: string, limit: number): Promise<{ games: GameRow[]; editions: EditionRow[]; prices: PriceRow[] }> {
    const games = await this.db.selectFrom('games').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    if (!games.length) return { games, editions: [], prices: [] };
    const ids = games.map((g) => g.id);
    const [editions, prices] = await Promise.all([
      this.db.selectFrom('game_editions').selectAll().where('game_id', 'in', ids).orderBy('position').execute(),
      this.db.selectFrom('game_prices').selectAll().where('game_id', 'in', ids).orderBy('country').orderBy('currency').execute(),
    ]);
    return { games, editions, prices };
  }

  /** Which of these slugs are used already. */
  async slugsTaken(slugs: readonly string[]): Promise<Set<string>> {
    if (!slugs.length) return new Set();
    return new Set((await this.db.selectFrom('games').select('slug').where('slug', 'in', slugs).execute()).map((r) => r.slug));
  }

  async editionsOf(gameId: string): Promise<EditionRow[]> {
    return this.db.selectFrom('game_editions').selectAll().where('game_id', '=', gameId).orderBy('position').execute();
  }

  async pricesOf(gameId: string): Promise<PriceRow[]> {
    return this.db.selectFrom('game_prices').selectAll().where('game_id', '=', gameId).orderBy('country').orderBy('currency').execute();
  }

  async operatorList(limit: number, offset: number, q?: string) {
    let query = this.db
      .selectFrom('games')
      .select(['id', 'slug', 'title', 'status', 'release_date', 'version', 'updated_at', 'default_language']);
    if (q) query = query.where(sql<boolean>`search_title ilike ${'%' + q.toLowerCase() + '%'}`);
    const rows = await query.orderBy('updated_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
    return rows;
  }

  /** The standard edition's price for a country, falling back to the '*' (rest of world) entry. */
  private priceJoin(country: string, currency: string) {
    return sql`left join lateral (
        select p.amount_minor as price_amount, p.currency as price_currency
        from game_prices p join game_editions e on e.id = p.edition_id and e.position = 0
        where p.game_id = g.id and p.country in (${country}, '*')
        order by (p.country = ${country}) desc, (p.currency = ${currency}) desc
        limit 1) price on true`;
  }

  private filters(f: ListFilter, today: string, currency: string) {
    const parts = [sql`g.status = 'published'`];
    if (f.genre) parts.push(sql`g.genres @> array[${f.genre}]::text[]`);
    if (f.release === 'released') parts.push(sql`g.release_date <= ${today}::date`);
    if (f.release === 'upcoming') parts.push(sql`(g.release_date is null or g.release_date > ${today}::date)`);
    // A price range is in the visitor's currency; games priced only in another currency do not match it.
    if (f.minPrice !== undefined) parts.push(sql`price.price_currency = ${currency} and price.price_amount >= ${f.minPrice}`);
    if (f.maxPrice !== undefined) parts.push(sql`price.price_currency = ${currency} and price.price_amount <= ${f.maxPrice}`);
    return sql.join(parts, sql` and `);
  }

  /**
   * Browsing without words: filter, sort, page. Sorting by release date or popularity walks an index.
   */
  async browse(
    f: ListFilter,
    sort: 'newest' | 'popular' | 'price' | 'upcoming',
    ctx: { country: string; currency: string; today: string },
    limit: number,
    offset: number,
  ): Promise<{ rows: ListedGameRow[]; total: number }> {
    const order = {
      newest: sql`g.release_date desc nulls last, g.id`,
      upcoming: sql`g.release_date asc nulls last, g.id`,
      popular: sql`g.popularity desc, g.id`,
      price: sql`price.price_amount asc nulls last, g.id`,
    }[sort];
    const where = this.filters(f, ctx.today, ctx.currency);
    const join = this.priceJoin(ctx.country, ctx.currency);
    const needsPrice = f.minPrice !== undefined || f.maxPrice !== undefined;
    const [rows, count] = await Promise.all([
      sql<ListedGameRow>`select ${sql.raw(gameColumns.map((c) => 'g.' + c).join(', '))}, price.price_amount, price.price_currency
        from games g ${join} where ${where} order by ${order} limit ${limit} offset ${offset}`.execute(this.db),
      sql<{ n: number }>`select count(*)::int as n from games g ${needsPrice ? join : sql``} where ${where}`.execute(this.db),
    ]);
    return { rows: rows.rows, total: count.rows[0]?.n ?? 0 };
  }

  /**
   * Word search: one full-text query bounded by the GIN index on the search document (typos were already
   * mapped to catalog words in the tsquery). A very common word can match thousands of games, so at most
   * the 2,000 most popular matches are ranked, and the best 300 of those can be paged through; prices are
   * looked up only for the page returned.
   */
  async search(
    tsquery: string,
    titleText: string,
    f: ListFilter,
    ctx: { country: string; currency: string; today: string },
    limit: number,
    offset: number,
  ): Promise<{ rows: (ListedGameRow & { score: number })[]; total: number }> {
    const where = this.filters(f, ctx.today, ctx.currency);
    const join = this.priceJoin(ctx.country, ctx.currency);
    const candidateJoin = f.minPrice !== undefined || f.maxPrice !== undefined ? join : sql``;
    const r = await sql<ListedGameRow & { score: number; total: number }>`
      with matched as (
        select g.id, g.search_title, g.popularity,
               ts_rank_cd(g.search_doc, to_tsquery('simple', ${tsquery}), 1)
                 + case when g.search_title = ${titleText} then 10 else 0 end as rank
        from games g ${candidateJoin}
        where g.search_doc @@ to_tsquery('simple', ${tsquery}) and ${where}
        order by g.popularity desc
        limit 2000
      ),
      hits as (
        select m.id, m.popularity, m.rank, m.search_title
        from matched m
        order by m.rank desc, m.popularity desc
        limit 300
      ),
      page as (
        -- The title's trigram similarity only orders the 300 hits: computed for them, not for all 2,000 ranked.
        select h.id, h.rank + similarity(h.search_title, ${titleText}) as score, h.popularity, count(*) over ()::int as total
        from hits h
        order by score desc, h.popularity desc, h.id
        limit ${limit} offset ${offset}
      )
      -- Only the page's games are read in full (not the 300 ranked): the rest needs ids, titles and popularity.
      select ${sql.raw(gameColumns.map((c) => 'g.' + c).join(', '))}, p.score, p.total, price.price_amount, price.price_currency
      from page p join games g on g.id = p.id ${join}
      order by p.score desc, p.popularity desc, g.id`.execute(this.db);
    return { rows: r.rows.map(({ total: _total, ...row }) => row), total: r.rows[0]?.total ?? 0 };
  }

  /** Published games by id with the price that applies in one country, in no particular order. */
  async listedByIds(ids: readonly string[], ctx: { country: string; currency: string }, drafts = false): Promise<ListedGameRow[]> {
    if (!ids.length) return [];
    const r =
      await sql<ListedGameRow>`select ${sql.raw(gameColumns.map((c) => 'g.' + c).join(', '))}, price.price_amount, price.price_currency
      from games g ${this.priceJoin(ctx.country, ctx.currency)}
      where g.id = any(${ids}::uuid[]) and (g.status = 'published' or ${drafts})`.execute(this.db);
    return r.rows;
  }

  /** Which of these ids are games (drafts too): promotions refuse to name a game that does not exist. */
  async existingIds(ids: readonly string[]): Promise<string[]> {
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (!valid.length) return [];
    return (await this.db.selectFrom('games').select('id').where('id', 'in', valid).execute()).map((r) => r.id);
  }

  /**
   * Published games a sale's targets name (the sale page): by id, genre, tag, developer or publisher, most popular
   * first, priced for the country. The caller prices each through the promotions and keeps the discounted ones.
   */
  async saleCandidates(
    t: { everything: boolean; games: string[]; genres: string[]; tags: string[]; developers: string[]; publishers: string[] },
    ctx: { country: string; currency: string },
    limit: number,
  ): Promise<ListedGameRow[]> {
    const any = [
      sql`g.id = any(${t.games}::uuid[])`,
      sql`g.genres && ${t.genres}::text[]`,
      sql`g.tags && ${t.tags}::text[]`,
      sql`g.developer = any(${t.developers}::text[])`,
      sql`g.publisher = any(${t.publishers}::text[])`,
    ];
    const where = t.everything ? sql`true` : sql.join(any, sql` or `);
    const r =
      await sql<ListedGameRow>`select ${sql.raw(gameColumns.map((c) => 'g.' + c).join(', '))}, price.price_amount, price.price_currency
      from games g ${this.priceJoin(ctx.country, ctx.currency)}
      where g.status = 'published' and (${where}) order by g.popularity desc, g.id limit ${limit}`.execute(this.db);
    return r.rows;
  }

  /** What the recommender needs of every published game: features for taste, popularity for cold start. */
  async features(alsoId?: string): Promise<
    {
      id: string;
      genres: string[];
      tags: string[];
      developer: string;
      popularity: number;
      title: Record<string, string>;
      default_language: string;
    }[]
  > {
    return this.db
      .selectFrom('games')
      .select(['id', 'genres', 'tags', 'developer', 'popularity', 'title', 'default_language'])
      .where((eb) => (alsoId ? eb.or([eb('status', '=', 'published'), eb('id', '=', alsoId)]) : eb('status', '=', 'published')))
      .execute();
  }

  /** Every published game's card row and search document, for the in-memory search index. */
  async searchIndexRows(): Promise<SearchIndexRow[]> {
    const columns = gameColumns.filter((c) => c !== 'description');
    const r = await sql<SearchIndexRow>`
      select ${sql.raw(columns.join(', '))}, search_doc::text as search_doc
      from games where status = 'published'`.execute(this.db);
    return r.rows;
  }

  /** The search vocabulary with how many games use each word (typo corrections prefer common words). */
  async vocabularyCounts(): Promise<VocabularyWord[]> {
    return this.db.selectFrom('search_words').select(['word', 'games']).execute();
  }

  /** Each game's standard-edition price that applies in a country, as `priceJoin` picks it (cards, price ranges). */
  async standardPrices(country: string, currency: string): Promise<{ id: string; amount: number; currency: string }[]> {
    const r = await sql<{ id: string; amount: number; currency: string }>`
      select distinct on (p.game_id) p.game_id as id, p.amount_minor as amount, p.currency
      from game_prices p join game_editions e on e.id = p.edition_id and e.position = 0
      where p.country in (${country}, '*')
      order by p.game_id, (p.country = ${country}) desc, (p.currency = ${currency}) desc`.execute(this.db);
    return r.rows;
  }

  /** Every published game's titles and popularity, for the type-ahead index. */
  async suggestRows(): Promise<SuggestRow[]> {
    return this.db
      .selectFrom('games')
      .select(['slug', 'title', 'default_language', 'popularity'])
      .where('status', '=', 'published')
      .execute();
  }

  async genreCounts(): Promise<{ name: string; games: number }[]> {
    const r = await sql<{ name: string; games: number }>`
      select genre as name, count(*)::int as games from games, unnest(genres) genre
      where status = 'published' group by genre order by games desc, genre limit 30`.execute(this.db);
    return r.rows;
  }

  async countGames(): Promise<number> {
    const r = await this.db
      .selectFrom('games')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}

export type CatalogTransaction = Transaction<CatalogTables>;
