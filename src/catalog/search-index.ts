import { firstAtLeast, type QueryTerm, type TokenLookup } from './search-text.ts';
import type { CardRow } from './store.ts';

/** A published game as the search index reads it: its card's row and its search document (a tsvector, as text). */
export type SearchIndexRow = Omit<CardRow, 'price_amount' | 'price_currency'> & { search_doc: string };

/** Each indexed game's standard price in one country (as the storefront picks it), by rank; NaN where it has none. */
export interface MarketPrices {
  amount: Float64Array;
  currency: (string | null)[];
}

/** A word of the catalogue's vocabulary and how many games use it (typo corrections prefer common words). */
export interface VocabularyWord {
  word: string;
  games: number;
}

export interface IndexFilter {
  genre?: string;
  release?: 'released' | 'upcoming';
  /** The shopper's day, `YYYY-MM-DD`, for the release filter. */
  today: string;
  /** Whether the game with this id passes the price range (only when one is asked for). */
  priced?: (rank: number) => boolean;
}

/** ts_rank_cd's default weights, by the weight a position carries (D, C, B, A). */
const WEIGHTS = [0.1, 0.2, 0.4, 1.0];
/** How many matches are ranked (the most popular) and how many of those can be paged through. */
const RANKED = 2000;
const HITS = 300;
/** pg_trgm's default similarity threshold: what `%` accepts. */
const SIMILAR = 0.3;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A typed array twice as long with the same start (for arrays filled before their length is known). */
function larger<A extends Int32Array | Uint16Array | Uint8Array>(a: A): A {
  const b = new (a.constructor as new (n: number) => A)(a.length * 2);
  b.set(a);
  return b;
}

/** pg_trgm's trigrams of a text: each word padded with two spaces before and one after, every three characters. */
export function trigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 2 < chars.length; i++) out.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  }
  return out;
}

/** pg_trgm's similarity: shared trigrams over all distinct trigrams of both, in single precision as PostgreSQL's. */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return Math.fround(shared / (a.size + b.size - shared));
}

/**
 * Reads a tsvector's text form (`'word':1A,5C 'other':2`): `lexeme` for each lexeme, then `position` for each of its
 * positions with its weight (D 0, C 1, B 2, A 3). One pass over the characters, nothing allocated but the lexemes.
 */
export function readTsvector(text: string, lexeme: (word: string) => void, position: (pos: number, weight: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) !== 39 /* ' */) {
      i++;
      continue;
    }
    let word = '';
    let from = i + 1;
    for (;;) {
      const close = text.indexOf("'", from);
      if (close < 0) return;
      const slash = text.indexOf('\\', from);
      if (slash >= 0 && slash < close) {
        word += text.slice(from, slash) + text.charAt(slash + 1);
        from = slash + 2;
        continue;
      }
      word += text.slice(from, close);
      if (text.charCodeAt(close + 1) === 39) {
        word += "'";
        from = close + 2;
        continue;
      }
      i = close + 1;
      break;
    }
    lexeme(word);
    if (text.charCodeAt(i) !== 58 /* : */) continue;
    i++;
    let pos = 0;
    let weight = 0;
    for (; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 32;
      if (c >= 48 && c <= 57) pos = pos * 10 + (c - 48);
      else if (c >= 65 && c <= 68)
        weight = 68 - c; // A 3, B 2, C 1, D 0
      else {
        position(pos, weight);
        pos = 0;
        weight = 0;
        if (c !== 44 /* , */) break;
      }
    }
  }
}

/** A tsvector's text form as its lexemes, each with its positions and their weights. */
export function parseTsvector(text: string): { lexeme: string; positions: number[]; weights: number[] }[] {
  const out: { lexeme: string; positions: number[]; weights: number[] }[] = [];
  readTsvector(
    text,
    (lexeme) => out.push({ lexeme, positions: [], weights: [] }),
    (pos, weight) => {
      out.at(-1)!.positions.push(pos);
      out.at(-1)!.weights.push(weight);
    },
  );
  return out;
}

/**
 * Word search over every published game, in memory (R8, issue 15): the same matching and ranking as the SQL path
 * in `CatalogStore.search` — every query term must match (a word, its typo corrections, the last word as a prefix),
 * the 2,000 most popular matches are ranked by PostgreSQL's cover density (`ts_rank_cd` with weights A 1, B 0.4,
 * C 0.2, divided by the log of the document's length), an exact title adds 10, and the best 300 are ordered with the
 * title's trigram similarity — without a round trip, so a common word ("action": 16,000 games) costs a walk of
 * its posting list instead of reading thousands of documents. Built from one read of the documents PostgreSQL
 * keeps; the catalogue's change notifications make the next search build it again.
 */
export class SearchIndex {
  /** Games by rank: most popular first, then by id, so walking ranks upwards is walking popularity downwards. */
  readonly ids: string[];
  readonly #titles: string[];
  readonly #genres: string[][];
  readonly #release: (string | null)[];
  /** Lexemes sorted, so that the lexemes starting with a prefix are one range of lexeme numbers. */
  readonly #lexemes: string[];
  readonly #lexemeOf = new Map<string, number>();
  /** For each lexeme, the ranks of the games whose document holds it, ascending. */
  readonly #postings: Int32Array[];
  /** Each game's document: entries `#docStart[rank]` to `#docStart[rank + 1]`, each a lexeme with positions. */
  readonly #docStart: Int32Array;
  readonly #entryLexeme: Int32Array;
  readonly #entryPos: Int32Array;
  readonly #positions: Uint16Array;
  readonly #weights: Uint8Array;
  /** ln(number of word positions + 1): ts_rank_cd's length normalisation (method 1). */
  readonly #logLength: Float64Array;
  /** Scratch for one search at a time (searches run synchronously): how many terms each game matched so far, */
  readonly #matched: Uint8Array;
  /** which terms each lexeme matches (bits), and one document's positions holding a term. */
  readonly #termMask: Int32Array;
  #items = { pos: new Int32Array(256), weight: new Uint8Array(256), mask: new Int32Array(256) };
  /** Each title's pg_trgm trigrams as numbers: `#titleGrams` from `#titleGramStart[rank]` to the next rank's start. */
  readonly #trigramId: Map<string, number>;
  readonly #titleGramStart: Int32Array;
  readonly #titleGrams: Int32Array;
  /** The vocabulary for typo tolerance, with an index from trigram to the words holding it. */
  readonly #words: VocabularyWord[];
  readonly #known: Set<string>;
  readonly #wordTrigrams: Map<string, number[]>;
  readonly #wordTrigramCount: Uint16Array;
  /** The games' rows (what a card shows), by rank. */
  readonly #rows: Omit<SearchIndexRow, 'search_doc'>[];
  /** Prices per country and currency, read the first time a shopper of that market searches. */
  readonly #markets = new Map<string, { prices?: MarketPrices; loading: Promise<unknown> }>();
  readonly #rankOf = new Map<string, number>();

  /**
   * Builds the index in slices of a few thousand documents, letting other work run between them (`pause`), so that
   * building it for a large catalogue never stalls the node's event loop.
   */
  static async build(rows: SearchIndexRow[], vocabulary: VocabularyWord[], pause: () => Promise<void> = nextTurn): Promise<SearchIndex> {
    const games = [...rows].sort((x, y) => y.popularity - x.popularity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    // Every document's lexemes (numbered as first seen), positions and weights, in flat arrays.
    const seen = new Map<string, number>();
    const words: string[] = [];
    const docStart = new Int32Array(games.length + 1);
    let entryLexeme = new Int32Array(1024);
    let entryPos = new Int32Array(1024);
    let positions = new Uint16Array(4096);
    let weights = new Uint8Array(4096);
    let entries = 0;
    let at = 0;
    const logLength = new Float64Array(games.length);
    const onLexeme = (word: string) => {
      let id = seen.get(word);
      if (id === undefined) {
        id = words.length;
        seen.set(word, id);
        words.push(word);
      }
      if (entries + 2 > entryLexeme.length) [entryLexeme, entryPos] = [larger(entryLexeme), larger(entryPos)];
      entryLexeme[entries] = id;
      entryPos[entries++] = at;
    };
    const onPosition = (pos: number, weight: number) => {
      if (at === positions.length) [positions, weights] = [larger(positions), larger(weights)];
      positions[at] = pos;
      weights[at++] = weight;
    };
    for (let rank = 0; rank < games.length; rank++) {
      if (rank % 2000 === 1999) await pause();
      docStart[rank] = entries;
      const [firstEntry, firstPos] = [entries, at];
      readTsvector(games[rank]!.search_doc, onLexeme, onPosition);
      entryPos[entries] = at;
      // ts_rank_cd's length: positions, and 1 for a lexeme stored without any.
      let length = at - firstPos;
      for (let e = firstEntry; e < entries; e++) if (entryPos[e] === entryPos[e + 1]) length++;
      logLength[rank] = Math.log(length + 1);
    }
    docStart[games.length] = entries;
    await pause();

    // Lexemes numbered in sorted order, so that a prefix's lexemes are one range.
    const order = words.map((_, i) => i).sort((x, y) => (words[x]! < words[y]! ? -1 : words[x]! > words[y]! ? 1 : 0));
    const renumber = new Int32Array(words.length);
    order.forEach((old, sorted) => (renumber[old] = sorted));
    const lexemes = order.map((old) => words[old]!);
    const entryLexemes = entryLexeme.slice(0, entries).map((old) => renumber[old]!);
    const postingLength = new Int32Array(lexemes.length);
    for (const l of entryLexemes) postingLength[l]!++;
    const postings = Array.from(postingLength, (n) => new Int32Array(n));
    const filled = new Int32Array(lexemes.length);
    for (let rank = 0; rank < games.length; rank++) {
      for (let e = docStart[rank]!; e < docStart[rank + 1]!; e++) postings[entryLexemes[e]!]![filled[entryLexemes[e]!]!++] = rank;
    }
    await pause();

    // The vocabulary's trigrams, for typo corrections.
    const wordTrigrams = new Map<string, number[]>();
    const wordTrigramCount = new Uint16Array(vocabulary.length);
    for (let i = 0; i < vocabulary.length; i++) {
      if (i % 10_000 === 9_999) await pause();
      const grams = trigrams(vocabulary[i]!.word);
      wordTrigramCount[i] = grams.size;
      for (const g of grams) {
        const list = wordTrigrams.get(g);
        if (list) list.push(i);
        else wordTrigrams.set(g, [i]);
      }
    }
    // The titles' trigrams, numbered, for the similarity that orders the best hits.
    const trigramId = new Map<string, number>();
    const titleGramStart = new Int32Array(games.length + 1);
    let titleGrams = new Int32Array(4096);
    let grams = 0;
    for (let rank = 0; rank < games.length; rank++) {
      if (rank % 5000 === 4999) await pause();
      titleGramStart[rank] = grams;
      for (const g of trigrams(games[rank]!.search_title)) {
        let id = trigramId.get(g);
        if (id === undefined) trigramId.set(g, (id = trigramId.size));
        if (grams === titleGrams.length) titleGrams = larger(titleGrams);
        titleGrams[grams++] = id;
      }
    }
    titleGramStart[games.length] = grams;
    return new SearchIndex({
      trigramId,
      titleGramStart,
      titleGrams: titleGrams.slice(0, grams),
      games,
      lexemes,
      postings,
      docStart,
      entryLexeme: entryLexemes,
      entryPos: entryPos.slice(0, entries + 1),
      positions: positions.slice(0, at),
      weights: weights.slice(0, at),
      logLength,
      vocabulary,
      wordTrigrams,
      wordTrigramCount,
    });
  }

  private constructor(p: {
    games: SearchIndexRow[];
    lexemes: string[];
    postings: Int32Array[];
    docStart: Int32Array;
    entryLexeme: Int32Array;
    entryPos: Int32Array;
    positions: Uint16Array;
    weights: Uint8Array;
    logLength: Float64Array;
    vocabulary: VocabularyWord[];
    wordTrigrams: Map<string, number[]>;
    wordTrigramCount: Uint16Array;
    trigramId: Map<string, number>;
    titleGramStart: Int32Array;
    titleGrams: Int32Array;
  }) {
    this.ids = p.games.map((g) => g.id);
    this.#rows = p.games.map(({ search_doc: _doc, ...row }) => row);
    this.ids.forEach((id, rank) => this.#rankOf.set(id, rank));
    this.#titles = p.games.map((g) => g.search_title);
    this.#genres = p.games.map((g) => g.genres);
    this.#release = p.games.map((g) => g.release_date);
    this.#matched = new Uint8Array(p.games.length);
    this.#termMask = new Int32Array(p.lexemes.length);
    this.#trigramId = p.trigramId;
    this.#titleGramStart = p.titleGramStart;
    this.#titleGrams = p.titleGrams;
    this.#lexemes = p.lexemes;
    p.lexemes.forEach((l, i) => this.#lexemeOf.set(l, i));
    this.#postings = p.postings;
    this.#docStart = p.docStart;
    this.#entryLexeme = p.entryLexeme;
    this.#entryPos = p.entryPos;
    this.#positions = p.positions;
    this.#weights = p.weights;
    this.#logLength = p.logLength;
    this.#words = p.vocabulary;
    this.#known = new Set(p.vocabulary.map((w) => w.word));
    this.#wordTrigrams = p.wordTrigrams;
    this.#wordTrigramCount = p.wordTrigramCount;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The game at a rank as its card needs it, priced from a market's prices. */
  card(rank: number, prices: MarketPrices): CardRow {
    const amount = prices.amount[rank]!;
    return { ...this.#rows[rank]!, price_amount: Number.isNaN(amount) ? null : amount, price_currency: prices.currency[rank] ?? null };
  }

  /** Prices by game id as arrays by rank. */
  marketPrices(prices: { id: string; amount: number; currency: string }[]): MarketPrices {
    const market: MarketPrices = { amount: new Float64Array(this.ids.length).fill(NaN), currency: new Array(this.ids.length).fill(null) };
    for (const p of prices) {
      const rank = this.#rankOf.get(p.id);
      if (rank === undefined) continue;
      market.amount[rank] = p.amount;
      market.currency[rank] = p.currency;
    }
    return market;
  }

  /** A market's prices when they have been read; the first ask starts reading them (`load`) and answers nothing. */
  market(key: string, load: () => Promise<{ id: string; amount: number; currency: string }[]>): MarketPrices | undefined {
    const known = this.#markets.get(key);
    if (known) return known.prices;
    const entry: { prices?: MarketPrices; loading: Promise<unknown> } = { loading: Promise.resolve() };
    entry.loading = load().then(
      (rows) => (entry.prices = this.marketPrices(rows)),
      () => this.#markets.delete(key), // asked again by the next search
    );
    this.#markets.set(key, entry);
    return undefined;
  }

  /**
   * For each query token: is it a word of the catalogue, and if not, up to three words close to it (pg_trgm
   * similarity of at least 0.3, closest first, then the most used) — what `CatalogStore.lookupWords` answers.
   */
  lookup(tokens: string[], correctable: string[]): Map<string, TokenLookup> {
    const fixable = new Set(correctable);
    return new Map(
      tokens.map((token): [string, TokenLookup] => {
        if (this.#known.has(token)) return [token, { known: true, close: [] }];
        return [token, { known: false, close: fixable.has(token) ? this.#close(token) : [] }];
      }),
    );
  }

  #close(token: string): string[] {
    const grams = trigrams(token);
    const shared = new Map<number, number>();
    for (const g of grams) for (const w of this.#wordTrigrams.get(g) ?? []) shared.set(w, (shared.get(w) ?? 0) + 1);
    const close: { word: VocabularyWord; sim: number }[] = [];
    for (const [w, n] of shared) {
      const sim = Math.fround(n / (grams.size + this.#wordTrigramCount[w]! - n));
      if (sim >= SIMILAR) close.push({ word: this.#words[w]!, sim });
    }
    close.sort((x, y) => y.sim - x.sim || y.word.games - x.word.games || (x.word.word < y.word.word ? -1 : 1));
    return close.slice(0, 3).map((c) => c.word.word);
  }

  /** The lexeme numbers a term matches: its words, and the range of lexemes starting with its prefix. */
  #lexemesOf(term: QueryTerm): { exact: number[]; from: number; to: number } {
    const exact = term.words.flatMap((w) => {
      const l = this.#lexemeOf.get(w);
      return l === undefined ? [] : [l];
    });
    if (term.prefix === undefined) return { exact, from: 0, to: 0 };
    const p = term.prefix;
    const lo = firstAtLeast(this.#lexemes, p);
    let to = lo;
    while (to < this.#lexemes.length && this.#lexemes[to]!.startsWith(p)) to++;
    return { exact, from: lo, to };
  }

  /**
   * The games matching every term and the filter, ranked; `total` counts the hits that can be paged through (at
   * most 300). Each result is a rank; `ids[rank]` is its game.
   */
  search(
    terms: QueryTerm[],
    titleText: string,
    filter: IndexFilter,
    limit: number,
    offset: number,
  ): { ranks: number[]; scores: number[]; total: number } {
    const none = { ranks: [], scores: [], total: 0 };
    if (!terms.length || terms.length > 30) return none;
    const sets = terms.map((t) => this.#lexemesOf(t));
    const postings = sets.map((s) => {
      let n = 0;
      for (const l of s.exact) n += this.#postings[l]!.length;
      for (let l = s.from; l < s.to; l++) n += this.#postings[l]!.length;
      return n;
    });
    if (postings.some((n) => n === 0)) return none;

    // Count, per game, the terms matched so far: the rarest term first, and a game counts for a term only once.
    const order = terms.map((_, i) => i).sort((a, b) => postings[a]! - postings[b]!);
    const matched = this.#matched;
    matched.fill(0);
    order.forEach((t, step) => {
      const mark = (list: Int32Array) => {
        for (let k = 0; k < list.length; k++) if (matched[list[k]!] === step) matched[list[k]!] = step + 1;
      };
      const s = sets[t]!;
      for (const l of s.exact) mark(this.#postings[l]!);
      for (let l = s.from; l < s.to; l++) mark(this.#postings[l]!);
    });

    // The most popular matches passing the filter, ranked by cover density (plus 10 for the exact title).
    const everyTerm = terms.length;
    const candidates: { rank: number; score: number }[] = [];
    const setMasks = (on: boolean) =>
      sets.forEach((s, t) => {
        const bit = on ? 1 << t : 0;
        for (const l of s.exact) this.#termMask[l] = on ? this.#termMask[l]! | bit : 0;
        for (let l = s.from; l < s.to; l++) this.#termMask[l] = on ? this.#termMask[l]! | bit : 0;
      });
    setMasks(true);
    try {
      for (let rank = 0; rank < matched.length && candidates.length < RANKED; rank++) {
        if (matched[rank] !== everyTerm || !this.#passes(rank, filter)) continue;
        const exactTitle = this.#titles[rank] === titleText ? 10 : 0;
        candidates.push({ rank, score: Math.fround(this.#coverDensity(rank, terms.length)) + exactTitle });
      }
    } finally {
      setMasks(false);
    }
    candidates.sort((x, y) => y.score - x.score || x.rank - y.rank);
    const hits = candidates.slice(0, HITS);
    const grams = trigrams(titleText);
    const wanted = new Set([...grams].map((g) => this.#trigramId.get(g) ?? -1));
    for (const h of hits) h.score = Math.fround(h.score + this.#titleSimilarity(h.rank, wanted, grams.size));
    hits.sort((x, y) => y.score - x.score || x.rank - y.rank);
    const page = hits.slice(offset, offset + limit);
    return { ranks: page.map((h) => h.rank), scores: page.map((h) => h.score), total: hits.length };
  }

  #passes(rank: number, f: IndexFilter): boolean {
    if (f.genre !== undefined && !this.#genres[rank]!.includes(f.genre)) return false;
    const release = this.#release[rank]!;
    if (f.release === 'released' && !(release !== null && release <= f.today)) return false;
    if (f.release === 'upcoming' && !(release === null || release > f.today)) return false;
    return f.priced ? f.priced(rank) : true;
  }

  /**
   * PostgreSQL's ts_rank_cd (tsrank.c, normalisation 1) for one document: its positions holding a query term, in
   * order; each shortest stretch covering every term (found left to right, the next search starting after the
   * previous stretch's first position) adds its items' count divided by the sum of their inverse weights, divided
   * by one plus the number of other words inside it; the sum is divided by ln(document length + 1).
   */
  #coverDensity(rank: number, terms: number): number {
    // The positions holding a term, sorted by position as they are gathered (a document holds few of them).
    let it = this.#items;
    let n = 0;
    for (let e = this.#docStart[rank]!; e < this.#docStart[rank + 1]!; e++) {
      const m = this.#termMask[this.#entryLexeme[e]!]!;
      if (!m) continue;
      for (let p = this.#entryPos[e]!; p < this.#entryPos[e + 1]!; p++) {
        if (n === it.pos.length) it = this.#items = { pos: larger(it.pos), weight: larger(it.weight), mask: larger(it.mask) };
        const at = this.#positions[p]!;
        let k = n++;
        for (; k > 0 && it.pos[k - 1]! > at; k--) {
          it.pos[k] = it.pos[k - 1]!;
          it.weight[k] = it.weight[k - 1]!;
          it.mask[k] = it.mask[k - 1]!;
        }
        it.pos[k] = at;
        it.weight[k] = this.#weights[p]!;
        it.mask[k] = m;
      }
    }
    const full = (1 << terms) - 1;
    let score = 0;
    let start = 0;
    for (;;) {
      let seen = 0;
      let end = start;
      for (; end < n; end++) {
        seen |= it.mask[end]!;
        if (seen === full) break;
      }
      if (end >= n) break;
      let begin = end;
      for (seen = 0; begin >= start; begin--) {
        seen |= it.mask[begin]!;
        if (seen === full) break;
      }
      let inverse = 0;
      for (let k = begin; k <= end; k++) inverse += 1 / WEIGHTS[it.weight[k]!]!;
      const count = end - begin + 1;
      let noise = it.pos[end]! - it.pos[begin]! - (end - begin);
      if (noise < 0) noise = Math.floor((end - begin) / 2);
      score += count / inverse / (1 + noise);
      start = begin + 1;
    }
    return this.#logLength[rank]! > 0 ? score / this.#logLength[rank]! : score;
  }

  /** pg_trgm similarity of a game's title to the query's trigrams (ids of the titles' trigrams; -1 for others). */
  #titleSimilarity(rank: number, wanted: Set<number>, wantedSize: number): number {
    const from = this.#titleGramStart[rank]!;
    const to = this.#titleGramStart[rank + 1]!;
    if (to === from || !wantedSize) return 0;
    let shared = 0;
    for (let k = from; k < to; k++) if (wanted.has(this.#titleGrams[k]!)) shared++;
    return Math.fround(shared / (to - from + wantedSize - shared));
  }
}
