import { AppError, notFound } from '../platform/errors.ts';
import { catalogError } from './errors.ts';
import { isoDate, type Clock } from '../platform/clock.ts';
import { newId, isUuid } from '../platform/ids.ts';
import { isCurrency } from '../platform/money.ts';
import { isLanguage, pickText } from '../platform/languages.ts';
import { isCountry } from '../platform/countries.ts';
import { decide, type GameRegions } from '../regions/policy.ts';
import { regionText } from '../regions/messages.ts';
import { buildQuery, correctable, isCjk, toTsQuery, tokenize, trigramText, type QueryTerm } from './search-text.ts';
import { SearchIndex } from './search-index.ts';
import { createHash } from 'node:crypto';
import { TitleIndex, type Suggestion } from './suggest.ts';
import type { CardRow, CatalogStore, EditionRow, GamePageRow, GameRow, GameWrite, ListedGameRow, PriceRow } from './store.ts';
import type { NotifiedCache } from '../platform/db/notified-cache.ts';
import type {
  Availability,
  GameCard,
  GameInput,
  HomePage,
  Money,
  OperatorGame,
  Quote,
  SearchQuery,
  SearchResult,
  StoreGame,
} from './schemas.ts';
import type { Shopper } from '../platform/shopper.ts';
import type { Tx } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import './events.ts';

/** Who is looking: prices, availability and texts depend on it. */
export type { Shopper } from '../platform/shopper.ts';

const regionsOf = (g: Omit<GameRow, 'description'>): GameRegions => ({
  // Copies: the row may be kept in memory and shared by every request that reads it.
  sale: { mode: g.sale_mode, countries: [...g.sale_countries] },
  play: { mode: g.play_mode, countries: [...g.play_countries] },
  ipMismatch: g.ip_mismatch,
});

/** Picks the price a shopper pays: their country's entry (their currency first), else the '*' entry. */
export function resolvePrice(
  prices: Pick<PriceRow, 'country' | 'currency' | 'amount_minor'>[],
  shopper: Pick<Shopper, 'country' | 'currency'>,
): Money | null {
  const rank = (p: (typeof prices)[number]) =>
    (p.country === shopper.country ? 2 : p.country === '*' ? 0 : -10) + (p.currency === shopper.currency ? 1 : 0);
  const best = prices.filter((p) => rank(p) >= 0).sort((a, b) => rank(b) - rank(a))[0];
  return best ? { amountMinor: best.amount_minor, currency: best.currency } : null;
}

/** Availability for a shopper: the region policy first, then whether a price exists for their country. */
export function availabilityFor(
  g: Omit<GameRow, 'description'>,
  shopper: Pick<Shopper, 'country' | 'language'>,
  price: Money | null,
  action: 'buy' | 'gift' = 'buy',
): Availability {
  const d = decide(action, { ...regionsOf(g), ipMismatch: 'allow' }, { residence: shopper.country });
  if (!d.allowed) return { purchasable: false, reason: d.reason, message: d.text(shopper.language) };
  if (!price)
    return { purchasable: false, reason: 'no_price_in_country', message: regionText('no_price_in_country', {}).text(shopper.language) };
  return { purchasable: true };
}

/** A game as promotions see it: what their targets can name, and its list price. */
export interface OfferItem {
  gameId: string;
  editionId?: string;
  genres: readonly string[];
  tags: readonly string[];
  developer: string;
  publisher: string;
  released: boolean;
  list: Money;
}

/**
 * The storefront's price after promotions (R5), implemented by the promotions context from its rules in memory: the
 * catalogue never waits on it, and a price it cannot compute is the list price.
 */
export interface OfferPricer {
  offer(item: OfferItem, country: string): { price: Money; percentOff: number; endsAt: Date | null };
  /** Which offers `offer` gives now: the same for one version until `until` (epoch ms). */
  epoch(): { version: number; until: number };
}

/** What a sale names, for the sale page. */
export interface SaleTargets {
  everything: boolean;
  games: string[];
  genres: string[];
  tags: string[];
  developers: string[];
  publishers: string[];
}

/** Game addresses the store's own routes use (`/api/games/suggest`). */
const RESERVED_SLUGS = new Set(['suggest']);

/** A game page as the storefront gets it, with the ETag of exactly that content. */
export interface StoreGamePage {
  game: StoreGame;
  etag: string;
}

export class CatalogService {
  constructor(
    private readonly store: CatalogStore,
    private readonly clock: Clock,
    private readonly offers?: OfferPricer,
    /** Storefront answers as shown, dropped on every node when the catalogue changes (issue 15). */
    private readonly caches: {
      pages?: NotifiedCache<StoreGamePage>;
      lists?: NotifiedCache<SearchResult | HomePage>;
      /** Whole-catalogue indexes: the type-ahead's titles ('titles') and the word search's ('search'). */
      indexes?: NotifiedCache<TitleIndex | SearchIndex>;
      /** Published games' rows with their price for one country and currency (cards: recommendations, wishlists). */
      rows?: NotifiedCache<ListedGameRow | null>;
      /** Games by id, drafts too: what checkout, gifts and order views ask several times per purchase. */
      games?: NotifiedCache<GameRow | null>;
      /** Games with the editions and prices of one country ('id|country'): the quote's and checkout's reading. */
      offers?: NotifiedCache<GamePageRow | null>;
    } = {},
  ) {}

  /**
   * Type-ahead (R8): published games whose title, or a word of it, starts with what was typed, most popular first,
   * titled in the shopper's language. From an index in memory, built again after the catalogue changes.
   */
  async suggest(typed: string, shopper: Shopper, limit = 8): Promise<Suggestion[]> {
    const cache = this.caches.indexes;
    const build = async () => {
      const index = new TitleIndex(await this.store.suggestRows());
      this.#lastTitles = { index, at: performance.now() };
      return index;
    };
    // While this node cannot hear the catalogue's changes, the cache reads through; rather than building the index
    // again for every key typed, the last one built serves for up to 30 s.
    const last = this.#lastTitles;
    const index =
      cache && !cache.live && last && performance.now() - last.at < 30_000
        ? last.index
        : await (cache ? cache.through('titles', build) : build());
    if (!(index instanceof TitleIndex)) throw new Error('the type-ahead index is not a TitleIndex');
    return index.suggest(typed, shopper.language, limit);
  }

  #lastTitles: { index: TitleIndex; at: number } | undefined;

  /**
   * The word search's index of every published game, kept until the catalogue changes (every node is told). When
   * there is none, one is built in the background, a slice at a time, and searches run in PostgreSQL meanwhile (the
   * same matches and ranking: `search-index.int.test.ts`), as they do while this node cannot hear changes.
   */
  private searchIndex(): SearchIndex | undefined {
    const cache = this.caches.indexes;
    if (!cache?.live) return undefined;
    const index = cache.peek('search');
    if (index instanceof SearchIndex) return index;
    // Joins a build under way; one that fails is tried again by the next search.
    cache
      .through('search', async () => {
        const [rows, words] = await Promise.all([this.store.searchIndexRows(), this.store.vocabularyCounts()]);
        return SearchIndex.build(rows, words);
      })
      .catch(() => undefined);
    return undefined;
  }

  /** Starts building the word search's index in the background, so that a node's first searches find it ready. */
  warm(): void {
    this.searchIndex();
  }

  /**
   * A storefront answer from memory when it was given for the same country, currency and language today under the
   * same promotions (issue 15). The key names everything an answer depends on besides the catalogue (whose changes
   * empty the caches on every node), so any move of the clock — a promotion's start or end passing, release day, a
   * test's or DEV_CLOCK's jump either way — is a different key.
   */
  private shown<T>(cache: NotifiedCache<T> | undefined, what: string, shopper: Shopper, load: () => Promise<T>): Promise<T> {
    if (!cache) return load();
    const epoch = this.offers?.epoch() ?? { version: 0, until: Infinity };
    return cache.through(
      [what, shopper.country, shopper.currency, shopper.language, this.today(), epoch.version, epoch.until].join('|'),
      load,
    );
  }

  // ---------- operator side (S1.1, D3, D4) ----------

  async createGame(input: GameInput): Promise<OperatorGame> {
    this.validate(input);
    if (await this.store.slugTaken(input.slug)) {
      throw catalogError(409, 'slug_taken', { slug: input.slug });
    }
    const id = newId();
    await this.store.transaction(async (s, tx) => {
      await s.insertGames([this.toWrite(id, input)], this.clock.now());
      if (input.status === 'published') await this.announce(tx, id, input);
    });
    this.changed(); // this node at once; the others when the trigger's NOTIFY arrives
    return this.operatorGame(id);
  }

  /** Bulk registration for imports (demo catalog, benchmark seeding); same validation as one by one. */
  async importGames(games: { input: GameInput; popularity: number }[]): Promise<number> {
    for (const g of games) this.validate(g.input);
    const writes = games.map((g) => {
      const w = this.toWrite(newId(), g.input);
      w.row.popularity = g.popularity;
      return w;
    });
    await this.store.transaction((s) => s.insertGames(writes, this.clock.now()));
    this.changed();
    return writes.length;
  }

  countGames(): Promise<number> {
    return this.store.countGames();
  }

  async updateGame(id: string, input: GameInput, expectedVersion: number): Promise<OperatorGame> {
    this.validate(input);
    const current = await this.existing(id);
    if (await this.store.slugTaken(input.slug, id)) {
      throw catalogError(409, 'slug_taken', { slug: input.slug });
    }
    const saved = await this.store.transaction(async (s, tx) => {
      const ok = await s.updateGame(this.toWrite(id, input, current.popularity), expectedVersion, this.clock.now());
      if (ok && current.status !== 'published' && input.status === 'published') await this.announce(tx, id, input);
      return ok;
    });
    this.changed();
    if (!saved) {
      const latest = await this.existing(id);
      throw catalogError(409, 'edit_conflict', { edited: expectedVersion, current: latest.version }, { currentVersion: latest.version });
    }
    return this.operatorGame(id);
  }

  /** A game became visible in the store: the event log carries it to whoever cares (the new-release mail). */
  private announce(tx: Tx, id: string, input: GameInput): Promise<void> {
    const { slug, releaseDate, genres, tags, developer } = input;
    return publish(tx, 'game.published', { gameId: id, slug, releaseDate: releaseDate ?? null, genres, tags, developer }, this.clock.now());
  }

  async operatorGame(id: string): Promise<OperatorGame> {
    const g = await this.existing(id);
    const [editions, prices] = await Promise.all([this.store.editionsOf(id), this.store.pricesOf(id)]);
    return this.toOperatorGame(g, editions, prices);
  }

  /** Every game as the operator API shows it, with its popularity, in pages (catalog:export). */
  async *allGames(page = 500): AsyncGenerator<OperatorGame & { popularity: number }> {
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const { games, editions, prices } = await this.store.gamesPage(after, page);
      if (!games.length) return;
      for (const g of games) {
        yield {
          ...this.toOperatorGame(
            g,
            editions.filter((e) => e.game_id === g.id),
            prices.filter((p) => p.game_id === g.id),
          ),
          popularity: g.popularity,
        };
      }
      after = games[games.length - 1]!.id;
    }
  }

  /** For imports: which slugs are taken, and why a document would be refused (the sentence an operator gets). */
  slugsTaken(slugs: readonly string[]): Promise<Set<string>> {
    return this.store.slugsTaken(slugs);
  }
  problemWith(input: GameInput): string | undefined {
    try {
      this.validate(input);
      return undefined;
    } catch (err) {
      if (err instanceof AppError) return err.message;
      throw err;
    }
  }

  private toOperatorGame(g: GameRow, editions: EditionRow[], prices: PriceRow[]): OperatorGame {
    return {
      id: g.id,
      slug: g.slug,
      status: g.status,
      defaultLanguage: g.default_language,
      title: g.title,
      summary: g.summary,
      description: g.description,
      genres: g.genres,
      tags: g.tags,
      developer: g.developer,
      publisher: g.publisher,
      releaseDate: g.release_date,
      coverUrl: g.cover_url,
      screenshots: g.screenshots,
      editions: editions.map((e) => ({
        code: e.code,
        name: e.name,
        prices: prices
          .filter((p) => p.edition_id === e.id)
          .map((p) => ({ country: p.country, currency: p.currency, amountMinor: p.amount_minor })),
      })),
      regions: regionsOf(g),
      attributes: g.attributes,
      version: g.version,
      createdAt: g.created_at.toISOString(),
      updatedAt: g.updated_at.toISOString(),
    };
  }

  async operatorList(page: number, pageSize: number, q?: string) {
    const rows = await this.store.operatorList(pageSize, (page - 1) * pageSize, q);
    return rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      title: pickText(r.title, 'en', r.default_language),
      status: r.status,
      releaseDate: r.release_date,
      version: r.version,
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  private async existing(id: string): Promise<GameRow> {
    const g = isUuid(id) ? await this.store.gameById(id) : undefined;
    if (!g) throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    return g;
  }

  private validate(input: GameInput): void {
    const bad = (e: AppError): never => {
      throw e;
    };
    const texts = [input.title, input.summary ?? {}, input.description, ...input.editions.map((e) => e.name)];
    for (const t of texts)
      for (const lang of Object.keys(t)) if (!isLanguage(lang)) bad(catalogError(400, 'unsupported_language.text', { language: lang }));
    if (!isLanguage(input.defaultLanguage)) bad(catalogError(400, 'unsupported_language.default', { language: input.defaultLanguage }));
    // /api/games/suggest is the type-ahead: a game there could only be opened by its id.
    if (RESERVED_SLUGS.has(input.slug)) bad(catalogError(400, 'slug_reserved', { slug: input.slug }));
    if (!input.title[input.defaultLanguage]?.trim()) bad(catalogError(400, 'title_required', { language: input.defaultLanguage }));
    for (const rule of [input.regions.sale, input.regions.play]) {
      for (const c of rule.countries) if (!isCountry(c)) bad(catalogError(400, 'unknown_country.region', { country: c }));
      if (rule.mode === 'only' && rule.countries.length === 0) bad(catalogError(400, 'empty_region_list'));
    }
    const codes = new Set<string>();
    for (const e of input.editions) {
      if (codes.has(e.code)) bad(catalogError(400, 'duplicate_edition', { code: e.code }));
      codes.add(e.code);
      const keys = new Set<string>();
      for (const p of e.prices) {
        if (p.country !== '*' && !isCountry(p.country))
          bad(catalogError(400, 'unknown_country.price', { country: p.country, code: e.code }));
        if (!isCurrency(p.currency)) bad(catalogError(400, 'unknown_currency', { currency: p.currency, code: e.code }));
        const key = `${p.country}/${p.currency}`;
        if (keys.has(key)) bad(catalogError(400, 'duplicate_price', { code: e.code, key }));
        keys.add(key);
      }
    }
    if (input.status === 'published' && !input.editions[0]!.prices.length) {
      bad(catalogError(400, 'price_required'));
    }
  }

  private toWrite(id: string, input: GameInput, popularity?: number): GameWrite {
    const titles = Object.values(input.title).join(' ');
    const tagText = [...input.genres, ...input.tags, input.developer, input.publisher].join(' ');
    const bodyText = [...Object.values(input.summary ?? {}), ...Object.values(input.description)].join(' ');
    const editions = input.editions.map((e, position) => ({ id: newId(), code: e.code, name: e.name, position }));
    return {
      row: {
        id,
        slug: input.slug,
        status: input.status,
        default_language: input.defaultLanguage,
        title: JSON.stringify(input.title),
        summary: JSON.stringify(input.summary ?? {}),
        description: JSON.stringify(input.description),
        genres: input.genres,
        tags: input.tags,
        developer: input.developer,
        publisher: input.publisher,
        release_date: input.releaseDate,
        cover_url: input.coverUrl,
        screenshots: input.screenshots,
        sale_mode: input.regions.sale.mode,
        sale_countries: input.regions.sale.mode === 'everywhere' ? [] : [...new Set(input.regions.sale.countries)],
        play_mode: input.regions.play.mode,
        play_countries: input.regions.play.mode === 'everywhere' ? [] : [...new Set(input.regions.play.countries)],
        ip_mismatch: input.regions.ipMismatch ?? 'warn',
        attributes: JSON.stringify(input.attributes ?? {}),
        search_title: trigramText(titles),
        ...(popularity !== undefined ? { popularity } : {}),
      },
      search: { title: tokenize(titles).join(' '), tags: tokenize(tagText).join(' '), body: tokenize(bodyText).join(' ') },
      words: [...new Set(tokenize(`${titles} ${tagText} ${bodyText}`).filter((t) => !isCjk(t)))],
      editions,
      prices: input.editions.flatMap((e, i) =>
        e.prices.map((p) => ({
          edition_id: editions[i]!.id,
          game_id: id,
          country: p.country,
          currency: p.currency,
          amount_minor: p.amountMinor,
        })),
      ),
    };
  }

  /** A write to the catalogue: this node's caches forget at once (the others when the triggers' NOTIFY arrives). */
  private changed(): void {
    this.caches.pages?.invalidate();
    this.caches.lists?.invalidate();
    this.caches.indexes?.invalidate();
  }

  // ---------- storefront side (R8, S1.3, S1.4, R12) ----------

  /** The store's date (UTC), worked out once per day of the clock: every page view asks for it. */
  private today(): string {
    const t = this.clock.now().getTime();
    const d = this.#day;
    if (d && t >= d.from && t < d.to) return d.iso;
    const from = t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
    this.#day = { from, to: from + 86_400_000, iso: isoDate(new Date(from)) };
    return this.#day.iso;
  }
  #day: { from: number; to: number; iso: string } | undefined;

  /** The list price after the promotions live for this shopper's country; `offer` when it is discounted. */
  private offerFor(
    g: Omit<GameRow, 'description'>,
    list: Money,
    shopper: Shopper,
    editionId?: string,
  ): { price: Money; offer?: GameCard['offer'] } {
    if (!this.offers) return { price: list };
    let o: ReturnType<OfferPricer['offer']>;
    try {
      o = this.offers.offer(
        {
          gameId: g.id,
          ...(editionId ? { editionId } : {}),
          genres: g.genres,
          tags: g.tags,
          developer: g.developer,
          publisher: g.publisher,
          released: g.release_date !== null && g.release_date <= this.today(),
          list,
        },
        shopper.country,
      );
    } catch {
      return { price: list };
    }
    if (o.price.amountMinor >= list.amountMinor) return { price: list };
    return { price: o.price, offer: { listPrice: list, percentOff: o.percentOff, endsAt: o.endsAt?.toISOString() ?? null } };
  }

  private card(g: CardRow, shopper: Shopper): GameCard {
    const list = g.price_amount === null || g.price_currency === null ? null : { amountMinor: g.price_amount, currency: g.price_currency };
    const availability = availabilityFor(g, shopper, list);
    const offered = list && availability.purchasable ? this.offerFor(g, list, shopper) : undefined;
    return {
      id: g.id,
      slug: g.slug,
      title: pickText(g.title, shopper.language, g.default_language),
      summary: pickText(g.summary, shopper.language, g.default_language),
      genres: g.genres,
      tags: g.tags,
      coverUrl: g.cover_url,
      releaseDate: g.release_date,
      released: g.release_date !== null && g.release_date <= this.today(),
      // No price is shown where the game cannot be bought: the API never prices a game for a country it is not sold in.
      price: offered?.price ?? null,
      ...(offered?.offer ? { offer: offered.offer } : {}),
      availability,
    };
  }

  home(shopper: Shopper): Promise<HomePage> {
    return this.shown(this.caches.lists as NotifiedCache<HomePage> | undefined, 'home', shopper, () => this.readHome(shopper));
  }

  private async readHome(shopper: Shopper): Promise<HomePage> {
    const ctx = { ...shopper, today: this.today() };
    const [released, upcoming, popular, genres] = await Promise.all([
      this.store.browse({ release: 'released' }, 'newest', ctx, 12, 0),
      this.store.browse({ release: 'upcoming' }, 'upcoming', ctx, 12, 0),
      this.store.browse({ release: 'released' }, 'popular', ctx, 12, 0),
      this.store.genreCounts(),
    ]);
    return {
      newReleases: released.rows.map((g) => this.card(g, shopper)),
      upcoming: upcoming.rows.map((g) => this.card(g, shopper)),
      popular: popular.rows.map((g) => this.card(g, shopper)),
      genres,
    };
  }

  genres(): Promise<{ name: string; games: number }[]> {
    return this.store.genreCounts();
  }

  search(q: SearchQuery, shopper: Shopper): Promise<SearchResult> {
    const lists = this.caches.lists as NotifiedCache<SearchResult> | undefined;
    return this.shown(lists, `search:${JSON.stringify(q)}`, shopper, () => this.readSearch(q, shopper));
  }

  private async readSearch(q: SearchQuery, shopper: Shopper): Promise<SearchResult> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 24;
    if (q.minPrice !== undefined && q.maxPrice !== undefined && q.minPrice > q.maxPrice) {
      throw catalogError(400, 'invalid_price_range');
    }
    const ctx = { ...shopper, today: this.today() };
    const filter = { genre: q.genre, minPrice: q.minPrice, maxPrice: q.maxPrice, release: q.release };
    const words = q.q?.trim() ?? '';
    const offset = (page - 1) * pageSize;
    const tokens = [...new Set(tokenize(words))].slice(0, 12);
    const latin = tokens.filter((t) => !isCjk(t));
    const index = tokens.length ? this.searchIndex() : undefined;
    const lookup = index
      ? index.lookup(latin, tokens.filter(correctable))
      : await this.store.lookupWords(latin, tokens.filter(correctable));
    const terms = tokens.length ? buildQuery(tokens, lookup) : undefined;
    const { rows, total } = !terms
      ? await this.store.browse(filter, q.sort === 'relevance' || !q.sort ? 'popular' : q.sort, ctx, pageSize, offset)
      : index
        ? await this.searchInMemory(index, terms, words, q, shopper, pageSize, offset)
        : await this.store.search(toTsQuery(terms), trigramText(words), filter, ctx, pageSize, offset);
    return { items: rows.map((g) => this.card(g, shopper)), total, page, pageSize, country: shopper.country, currency: shopper.currency };
  }

  /**
   * Word search on this node's index, cards and prices included: no database round trip once the shopper's market
   * (country and currency) has been read. Until then the cards' rows are read (and a price range runs in PostgreSQL).
   */
  private async searchInMemory(
    index: SearchIndex,
    terms: QueryTerm[],
    words: string,
    q: SearchQuery,
    shopper: Shopper,
    limit: number,
    offset: number,
  ): Promise<{ rows: CardRow[]; total: number }> {
    const { country, currency } = shopper;
    const prices = index.market(`${country}|${currency}`, () => this.store.standardPrices(country, currency));
    const ranged = q.minPrice !== undefined || q.maxPrice !== undefined;
    const filter = { genre: q.genre, minPrice: q.minPrice, maxPrice: q.maxPrice, release: q.release };
    const today = this.today();
    if (ranged && !prices) return this.store.search(toTsQuery(terms), trigramText(words), filter, { ...shopper, today }, limit, offset);
    const [min, max] = [q.minPrice ?? 0, q.maxPrice ?? Infinity];
    const priced = (rank: number) => prices!.currency[rank] === currency && prices!.amount[rank]! >= min && prices!.amount[rank]! <= max;
    const found = index.search(
      terms,
      trigramText(words),
      { genre: q.genre, release: q.release, today, ...(ranged ? { priced } : {}) },
      limit,
      offset,
    );
    if (prices) return { rows: found.ranks.map((rank) => index.card(rank, prices)), total: found.total };
    const ids = found.ranks.map((rank) => index.ids[rank]!);
    const rows = await this.listedRows(ids, shopper, false);
    return { rows: ids.flatMap((id) => rows.get(id) ?? []), total: found.total };
  }

  /**
   * A game page with its ETag, from memory when this page was shown for the same country, currency and language
   * today under the same promotions (issue 15). Kept until the catalogue changes (every node is told), a promotion
   * is created, changed or ended (its version is in the key), or one starts or ends by its schedule.
   */
  async storeGamePage(key: string, shopper: Shopper): Promise<StoreGamePage> {
    const render = async (): Promise<StoreGamePage> => {
      const game = await this.storeGame(key, shopper);
      return { game, etag: `"${createHash('sha1').update(JSON.stringify(game)).digest('base64url')}"` };
    };
    return this.shown(this.caches.pages, key, shopper, render);
  }

  async storeGame(key: string, shopper: Shopper): Promise<StoreGame> {
    const g = await this.store.gameWithOffers(key, isUuid(key), shopper.country);
    if (!g || g.status !== 'published') throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    const priceOf = (editionId: string) =>
      resolvePrice(
        g.prices.filter((p) => p.edition_id === editionId),
        shopper,
      );
    const standard = g.editions[0];
    const price = standard ? priceOf(standard.id) : null;
    const card = this.card({ ...g, price_amount: price?.amountMinor ?? null, price_currency: price?.currency ?? null }, shopper);
    return {
      ...card,
      description: pickText(g.description, shopper.language, g.default_language),
      developer: g.developer,
      publisher: g.publisher,
      screenshots: g.screenshots,
      editions: g.editions.map((e) => {
        const list = card.availability.purchasable ? priceOf(e.id) : null;
        const offered = list ? this.offerFor(g, list, shopper, e.id) : undefined;
        return {
          id: e.id,
          code: e.code,
          name: pickText(e.name, shopper.language, g.default_language),
          price: offered?.price ?? null,
          ...(offered?.offer ? { offer: offered.offer } : {}),
        };
      }),
      country: shopper.country,
      language: shopper.language,
    };
  }

  /**
   * Cards for published games in the order of `ids` (unknown or unpublished ids are left out), priced for the
   * shopper. Whether a card can be bought there is in its `availability`.
   */
  async cards(ids: readonly string[], shopper: Shopper, opts: { drafts?: boolean } = {}): Promise<GameCard[]> {
    const valid = ids.filter(isUuid);
    const rows = await this.listedRows(valid, shopper, opts.drafts ?? false);
    // A card is made fresh from its row each time: availability, release and the offer follow the clock and promotions.
    return valid.flatMap((id) => {
      const g = rows.get(id);
      return g ? [this.card(g, shopper)] : [];
    });
  }

  /**
   * Games' rows priced for the shopper's country, from memory where this node read them since the catalogue last
   * changed (every node is told, as for pages); the missing ones in one query. Drafts are never kept.
   */
  private async listedRows(ids: string[], shopper: Shopper, drafts: boolean): Promise<Map<string, ListedGameRow>> {
    const cache = this.caches.rows;
    if (!cache || drafts) return new Map((await this.store.listedByIds(ids, shopper, drafts)).map((g) => [g.id, g]));
    // Every miss below asks before any query runs (a cache's load starts synchronously), so they share one.
    const missing: string[] = [];
    let batch: Promise<Map<string, ListedGameRow>> | undefined;
    const load = (id: string) => {
      missing.push(id);
      batch ??= Promise.resolve().then(async () => new Map((await this.store.listedByIds(missing, shopper)).map((g) => [g.id, g])));
      return batch.then((found) => found.get(id) ?? null);
    };
    const found = await Promise.all(ids.map((id) => cache.through(`${id}|${shopper.country}|${shopper.currency}`, () => load(id))));
    return new Map(found.flatMap((g) => (g ? [[g.id, g] as const] : [])));
  }

  /** A game's row (drafts too), from memory since the catalogue last changed (every node is told, as for pages). */
  private async gameRow(id: string): Promise<GameRow | undefined> {
    const cache = this.caches.games;
    const g = cache ? await cache.through(id, async () => (await this.store.gameById(id)) ?? null) : await this.store.gameById(id);
    return g ?? undefined;
  }

  /** A game with its editions and the prices that can apply in a country: the quote's and checkout's reading. */
  private async offerRow(id: string, country: string): Promise<GamePageRow | undefined> {
    const cache = this.caches.offers;
    const load = async () => (await this.store.gameWithOffers(id, true, country)) ?? null;
    const g = cache ? await cache.through(`${id}|${country}`, load) : await load();
    return g ?? undefined;
  }

  /** Features of every published game (and of `alsoId`, a draft being previewed). */
  features(alsoId?: string) {
    return this.store.features(alsoId && isUuid(alsoId) ? alsoId : undefined);
  }

  async isPublished(gameId: string): Promise<boolean> {
    return isUuid(gameId) && (await this.gameRow(gameId))?.status === 'published';
  }

  /** What other contexts need to know about a published game: its title, release date and whether it is out. */
  async facts(
    gameId: string,
    language = 'en',
  ): Promise<{
    id: string;
    slug: string;
    title: string;
    /** The title in every language the game has. */
    titles: Record<string, string>;
    releaseDate: string | null;
    released: boolean;
    regions: GameRegions;
    /** The cover as the storefront shows it (its own, or the one the store draws). */
    coverUrl: string;
  }> {
    const g = isUuid(gameId) ? await this.gameRow(gameId) : undefined;
    if (!g) throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    return {
      id: g.id,
      slug: g.slug,
      coverUrl: g.cover_url ?? `/covers/${g.slug}`,
      title: pickText(g.title, language, g.default_language),
      titles: { ...g.title, ...(g.title[g.default_language] ? { en: g.title.en ?? g.title[g.default_language]! } : {}) },
      releaseDate: g.release_date,
      released: g.release_date !== null && g.release_date <= this.today(),
      regions: regionsOf(g),
    };
  }

  /**
   * The price a shopper would pay for an edition, or a refusal with the region policy's reason.
   * Checkout and gifting call this; it is the server-side lock, whatever the storefront shows.
   */
  async quote(gameId: string, editionId: string | undefined, shopper: Shopper, action: 'buy' | 'gift' = 'buy'): Promise<Quote> {
    return (await this.priceItem(gameId, editionId, shopper, action)).quote;
  }

  /** The list price a shopper would pay (or the refusal), with the game as promotions see it (checkout prices it). */
  async priceItem(
    gameId: string,
    editionId: string | undefined,
    shopper: Shopper,
    action: 'buy' | 'gift' = 'buy',
  ): Promise<{ quote: Quote; item: OfferItem }> {
    const g = isUuid(gameId) ? await this.offerRow(gameId, shopper.country) : undefined;
    if (!g || g.status !== 'published') throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    const edition = editionId ? g.editions.find((e) => e.id === editionId) : g.editions[0];
    if (!edition) throw notFound({ en: 'This edition', ko: '이 에디션', ja: 'このエディション' }, 'edition_not_found');
    const price = resolvePrice(
      g.prices.filter((p) => p.edition_id === edition.id),
      shopper,
    );
    const availability = availabilityFor(g, shopper, price, action);
    if (!availability.purchasable || !price) {
      // The reason is already in the shopper's language (availabilityFor).
      throw availability.message
        ? new AppError(403, availability.reason ?? 'not_for_sale', availability.message)
        : catalogError(403, 'not_for_sale');
    }
    return {
      quote: { gameId: g.id, editionId: edition.id, country: shopper.country, price },
      item: {
        gameId: g.id,
        editionId: edition.id,
        genres: g.genres,
        tags: g.tags,
        developer: g.developer,
        publisher: g.publisher,
        released: g.release_date !== null && g.release_date <= this.today(),
        list: price,
      },
    };
  }

  /** Which of these ids are games of the catalogue. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    return new Set(await this.store.existingIds(ids));
  }

  /** The sale page (R5): games the live promotions discount in the shopper's country, most popular first. */
  async onSale(targets: SaleTargets, shopper: Shopper, limit = 48): Promise<GameCard[]> {
    const nothing =
      !targets.everything && ![targets.games, targets.genres, targets.tags, targets.developers, targets.publishers].some((x) => x.length);
    if (nothing) return [];
    const rows = await this.store.saleCandidates(targets, shopper, 500);
    return rows
      .map((g) => this.card(g, shopper))
      .filter((c) => c.offer)
      .slice(0, limit);
  }
}
