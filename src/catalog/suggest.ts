import { pickText } from '../platform/languages.ts';
import { firstAtLeast } from './search-text.ts';

/** A published game as type-ahead needs it. */
export interface SuggestRow {
  slug: string;
  title: Record<string, string>;
  default_language: string;
  popularity: number;
}

export interface Suggestion {
  slug: string;
  title: string;
}

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
/** Lower case, compatibility forms folded (full-width Latin, half-width kana), spaces collapsed. */
export const normalise = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Type-ahead over every published title in every language (R8, issue 15), in memory: a sorted list of the places a
 * typed prefix may start — the whole title, each word, and inside Chinese, Japanese and Korean runs each character
 * (their words are often written without spaces) — searched by binary search, the most popular games first. Built
 * from one query; the catalogue's change notifications make the next request build it again.
 */
export class TitleIndex {
  readonly #keys: string[];
  readonly #games: Int32Array;
  readonly #rows: SuggestRow[];
  /** The best ranks for prefixes of up to three characters, which match thousands of entries: worked out once. */
  readonly #short = new Map<string, number[]>();

  constructor(rows: SuggestRow[]) {
    // Most popular first, so that a game's index is its rank: the first n distinct matches are the n best.
    this.#rows = [...rows].sort((x, y) => y.popularity - x.popularity);
    const entries: [string, number][] = [];
    this.#rows.forEach((row, game) => {
      const seen = new Set<string>();
      for (const text of Object.values(row.title)) {
        const t = normalise(text);
        for (let i = 0; i < t.length; i++) {
          const wordStart = t[i] !== ' ' && (i === 0 || t[i - 1] === ' ' || CJK.test(t[i]!));
          if (!wordStart) continue;
          const key = t.slice(i, i + 40);
          if (!seen.has(key)) {
            seen.add(key);
            entries.push([key, game]);
          }
        }
      }
    });
    entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    this.#keys = entries.map((e) => e[0]);
    this.#games = Int32Array.from(entries, (e) => e[1]);
  }

  get size(): number {
    return this.#rows.length;
  }

  /** Up to `limit` games with a title (or a word of it) starting with `typed`, most popular first. */
  suggest(typed: string, language: string, limit = 8): Suggestion[] {
    const prefix = normalise(typed).slice(0, 40);
    if (!prefix) return [];
    const short = prefix.length <= 3;
    let ranks = short ? this.#short.get(prefix) : undefined;
    if (!ranks) {
      ranks = this.#best(prefix, short ? Math.max(limit, 20) : limit);
      if (short && this.#short.size < 100_000) this.#short.set(prefix, ranks);
    }
    return ranks.slice(0, limit).map((game) => {
      const row = this.#rows[game]!;
      return { slug: row.slug, title: pickText(row.title, language, row.default_language) };
    });
  }

  /** The `limit` best ranks (most popular games) among the entries starting with `prefix`, in order. */
  #best(prefix: string, limit: number): number[] {
    const lo = firstAtLeast(this.#keys, prefix);
    // The best `limit` ranks among the matching entries; a short prefix may match many, so the scan is bounded.
    const best: number[] = [];
    for (let i = lo, scanned = 0; i < this.#keys.length && scanned < 50_000 && this.#keys[i]!.startsWith(prefix); i++, scanned++) {
      const game = this.#games[i]!;
      if (best.includes(game)) continue;
      if (best.length < limit) best.push(game);
      else {
        let worst = 0;
        for (let k = 1; k < best.length; k++) if (best[k]! > best[worst]!) worst = k;
        if (game < best[worst]!) best[worst] = game;
      }
    }
    return best.sort((x, y) => x - y);
  }
}
