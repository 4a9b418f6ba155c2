import { Value } from 'typebox/value';
import { csvRows } from '../platform/csv.ts';
import { toMinor } from '../platform/money.ts';
import { GameInput, type OperatorGame } from './schemas.ts';

/**
 * Catalogue files in and out (storefront issue: "a larger demo catalogue"): the public Steam store data sets people
 * actually have, and the store's own export, one game per line so that any size streams.
 *
 * - `store-jsonl`: this store's export — a header line `{"format":"game-store-catalog","version":1,…}`, then one
 *   GameInput (the operator API's document) per line. Lossless: export → import gives the same games.
 * - `ucsd-csv`: the UCSD Steam games file (`id,app_name,title,developer,publisher,release_date,price,…,genres,tags`),
 *   lists `|`-separated, USD prices or words such as "Free To Play".
 * - `kaggle-csv`: Kaggle "Steam Store Games" (`,name,release_date,developer,…,price,…` then genre booleans), prices
 *   in euros ("7.19€").
 * - `steam-jsonl`: one JSON object per line with Steam-like fields (`title` or `name`, `release_date`, `developer`,
 *   `publisher`, `genres`, `tags` as arrays or `|`-strings, `price` in USD, `id`/`appid`).
 * Covers are never imported: the store draws one per game (/covers/…).
 */
export type CatalogFormat = 'store-jsonl' | 'ucsd-csv' | 'kaggle-csv' | 'steam-jsonl';
export const STORE_FORMAT = 'game-store-catalog';

export interface Imported {
  input: GameInput;
  popularity: number;
}
export interface Skipped {
  line: number;
  reason: string;
}

/** Recognises a file by its first line. */
export function detectFormat(firstLine: string): CatalogFormat | undefined {
  const t = firstLine.trim();
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t) as { format?: string };
      return o.format === STORE_FORMAT ? 'store-jsonl' : 'steam-jsonl';
    } catch {
      return undefined;
    }
  }
  const header = [...csvRows(`${t}\n`)][0] ?? [];
  if (header.includes('app_name') && header.includes('title') && header.includes('tags')) return 'ucsd-csv';
  if (header[0] === '' && header.includes('name') && header.includes('positive_ratings')) return 'kaggle-csv';
  return undefined;
}

/** Header line of the store's own export. */
export function exportHeader(at: Date, games: number): string {
  return JSON.stringify({ format: STORE_FORMAT, version: 1, exportedAt: at.toISOString(), games });
}

/** One exported game: the document the operator API takes (no id, version or timestamps). */
export function exportLine(g: OperatorGame & { popularity?: number }): string {
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...input } = g;
  return JSON.stringify(input);
}

const SENTIMENT: Record<string, number> = {
  'Overwhelmingly Positive': 9,
  'Very Positive': 8,
  Positive: 7,
  'Mostly Positive': 6,
  Mixed: 5,
  'Mostly Negative': 3,
  Negative: 2,
  'Very Negative': 1,
};

export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

const everywhere = { mode: 'everywhere' as const, countries: [] };
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split('|') : []).map((s) => s.trim().slice(0, 60)).filter(Boolean);

/** A game from Steam-like fields; `prices` already in the store's shape. */
function steamGame(f: {
  id: string;
  title: string;
  developer?: string;
  publisher?: string;
  date: string;
  genres: string[];
  tags: string[];
  prices: GameInput['editions'][number]['prices'];
  sentiment?: string;
}): GameInput {
  const developer = f.developer?.trim() || 'Unknown developer';
  const genres = f.genres.slice(0, 6);
  const tags = f.tags.slice(0, 12);
  return {
    slug: slugify(f.title) || `game-${f.id}`,
    status: 'published',
    defaultLanguage: 'en',
    title: { en: f.title.slice(0, 200) },
    summary: { en: `${genres.join(', ') || 'Game'} by ${developer}. ${tags.slice(0, 5).join(' · ')}`.slice(0, 500) },
    description: { en: `${f.title} — ${tags.join(', ')}. ${f.sentiment ? `Players say: ${f.sentiment}.` : ''}`.trim() },
    genres: genres.length ? genres : ['Indie'],
    tags,
    developer: developer.slice(0, 200),
    publisher: (f.publisher?.trim() || developer).slice(0, 200),
    releaseDate: f.date,
    coverUrl: `/covers/steam-${f.id}?title=${encodeURIComponent(f.title.slice(0, 120))}`,
    screenshots: [],
    editions: [{ code: 'standard', name: { en: 'Standard Edition' }, prices: f.prices }],
    regions: { sale: everywhere, play: everywhere },
  };
}

/** A USD price ("4.99", "Free To Play") in minor units; undefined when it is not a price. */
function usdMinor(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return toMinor(t, 'USD');
  return /free/i.test(t) ? 0 : undefined;
}

/**
 * Reads a catalogue file: games with a popularity (for the storefront's "popular" order), and the lines skipped with
 * a reason. `prices(usdMinor)` turns a USD list price into the store's regional prices.
 */
export function* readCatalog(
  text: string,
  format: CatalogFormat,
  prices: (usdMinor: number) => GameInput['editions'][number]['prices'],
): Generator<{ line: number; game?: Imported; skipped?: string; sourceId?: string }> {
  if (format === 'store-jsonl' || format === 'steam-jsonl') {
    const lines = text.split('\n');
    for (let i = format === 'store-jsonl' ? 1 : 0; i < lines.length; i++) {
      const raw = lines[i]!.trim();
      if (!raw) continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        yield { line: i + 1, skipped: 'not JSON' };
        continue;
      }
      if (format === 'store-jsonl') {
        const { popularity, ...input } = o as GameInput & { popularity?: number };
        yield { line: i + 1, game: { input: input, popularity: Number(popularity) || 0 } };
        continue;
      }
      const title = String(o.title ?? o.name ?? o.app_name ?? '').trim();
      const date = String(o.release_date ?? '').trim();
      const usd = usdMinor(String(o.price ?? ''));
      if (!title) yield { line: i + 1, skipped: 'no title' };
      else if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) yield { line: i + 1, skipped: `release date "${date}" is not YYYY-MM-DD` };
      else if (usd === undefined) yield { line: i + 1, skipped: `price "${String(o.price ?? '')}" is not a USD amount` };
      else {
        const id = String(o.id ?? o.appid ?? i);
        const input = steamGame({
          id,
          title,
          developer: typeof o.developer === 'string' ? o.developer : list(o.developer).join(', '),
          publisher: typeof o.publisher === 'string' ? o.publisher : list(o.publisher).join(', '),
          date,
          genres: list(o.genres),
          tags: list(o.tags),
          prices: prices(usd),
          sentiment: typeof o.sentiment === 'string' ? o.sentiment : undefined,
        });
        yield { line: i + 1, sourceId: id, game: { input, popularity: (SENTIMENT[String(o.sentiment ?? '')] ?? 4) * 100 } };
      }
    }
    return;
  }
  const rows = csvRows(text);
  const header = rows.next().value as string[];
  const col = (name: string) => header.indexOf(name);
  let line = 1;
  for (const r of rows) {
    line++;
    if (r.length === 1 && !r[0]) continue;
    const cell = (name: string) => r[col(name)]?.trim() ?? '';
    const title = format === 'ucsd-csv' ? cell('title') || cell('app_name') : cell('name');
    const date = cell('release_date');
    if (!title) {
      yield { line, skipped: 'no title' };
      continue;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      yield { line, skipped: `release date "${date}" is not YYYY-MM-DD` };
      continue;
    }
    if (format === 'ucsd-csv') {
      const usd = usdMinor(cell('price'));
      if (usd === undefined) {
        yield { line, skipped: `price "${cell('price')}" is not a USD amount` };
        continue;
      }
      const sentiment = cell('sentiment');
      const input = steamGame({
        id: cell('id'),
        title,
        developer: cell('developer'),
        publisher: cell('publisher'),
        date,
        genres: list(cell('genres')),
        tags: list(cell('tags')),
        prices: prices(usd),
        sentiment: sentiment || undefined,
      });
      yield {
        line,
        sourceId: cell('id'),
        game: { input, popularity: (SENTIMENT[sentiment] ?? 4) * 100 + (Number(cell('metascore')) || 0) },
      };
    } else {
      // Kaggle's prices are euros ("7.19€"): one euro price for every country, as the file gives it.
      const euros = cell('price').replace('€', '').trim();
      if (!/^\d+(\.\d+)?$/.test(euros)) {
        yield { line, skipped: `price "${cell('price')}" is not a euro amount` };
        continue;
      }
      const genres = ['action', 'adventure', 'rpg', 'simulation', 'strategy', 'racing', 'free_to_play', 'early_access']
        .filter((g) => cell(g) === 'True')
        .map((g) =>
          g
            .replace(/_/g, ' ')
            .replace(/\b\w/g, (c) => c.toUpperCase())
            .replace('Rpg', 'RPG'),
        );
      const positive = Number(cell('positive_ratings')) || 0;
      const negative = Number(cell('negative_ratings')) || 0;
      const input = steamGame({
        id: cell(header[0]!) || String(line),
        title,
        developer: cell('developer'),
        date,
        genres,
        tags: [],
        prices: [{ country: '*', currency: 'EUR', amountMinor: toMinor(euros, 'EUR') }],
      });
      // Popularity: how many rated it, weighted by how many liked it.
      yield {
        line,
        sourceId: cell(header[0]!),
        game: { input, popularity: Math.round(Math.log10(1 + positive + negative) * 100 * (positive / (positive + negative || 1))) },
      };
    }
  }
}

/**
 * A slug not in `taken` (which it joins): the title's, else with the source's id, else numbered. Two Steam games may
 * share a title; each gets its own address. Undefined when nothing usable is left (a title of punctuation only).
 */
export function uniqueSlug(slug: string, sourceId: string | undefined, taken: Set<string>): string | undefined {
  const candidates = [
    slug,
    sourceId ? `${slug}-${slugify(sourceId)}` : undefined,
    ...Array.from({ length: 50 }, (_, i) => `${slug}-${i + 2}`),
  ];
  const free = candidates.find((c): c is string => !!c && c.length >= 2 && c.length <= 100 && !taken.has(c));
  if (free) taken.add(free);
  return free;
}

/** The shape check the operator API applies (route schema), for one document read from a file. */
export function shapeProblem(input: unknown): string | undefined {
  if (Value.Check(GameInput, input)) return undefined;
  const first = [...Value.Errors(GameInput, input)][0] as { instancePath?: string; path?: string; message: string } | undefined;
  return first ? `${first.instancePath ?? first.path ?? ''} ${first.message}`.trim() : 'not a game document';
}
