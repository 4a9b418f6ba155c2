import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { gameInput, startTestStore, type TestStore } from '../../test/harness.ts';
import { kyselyFor } from '../platform/db/database.ts';
import { CatalogStore, type CatalogTables } from './store.ts';
import { SearchIndex, parseTsvector, similarity, trigrams } from './search-index.ts';
import { buildQuery, correctable, isCjk, toTsQuery, tokenize, trigramText } from './search-text.ts';
import type { GameInput } from './schemas.ts';

// A generated catalogue whose words repeat across titles, tags and descriptions in many proportions, so that
// the ranking (cover density, title bonus, trigram similarity) and the popularity cut-offs all have work to do.
const A = 'shadow star dragon iron crystal lost neon silent crimson frozen ember void storm hollow solar'.split(' ');
const B = 'legends kingdom odyssey protocol frontier hunter quest tactics racer empire saga arena colony dungeon'.split(' ');
const TAGS = ['Open World', 'Co-op', 'Roguelike', 'Story Rich', 'Sci-fi', 'Fantasy', 'Horror', 'Space', 'Cars'];
const KO = '그림자 별 드래곤 강철 수정 전설 왕국 모험'.split(' ');
const JA = 'シャドウ スター ドラゴン クリスタル レジェンド キングダム'.split(' ');
const COUNTRIES = ['US', 'KR', 'JP', 'DE'];
/** More than 2,000 published games match the commonest words, so the popularity cut-off is exercised too. */
const GAMES = 3000;

function game(i: number): { input: GameInput; popularity: number } {
  const pick = <T>(xs: T[], k: number) => xs[(i * 7919 + k * 104729) % xs.length]!;
  const title = `${pick(A, 1)} ${pick(B, 2)}${i % 5 === 0 ? ` ${pick(A, 3)}` : ''}`;
  const words = Array.from({ length: 4 + (i % 9) }, (_, k) => pick(k % 2 ? A : B, k + 4)).join(' ');
  return {
    // Distinct popularities (7919 is prime to the catalogue's size): SQL orders ties among equally popular games any
    // way it likes, the index by id, so only distinct ones compare exactly.
    popularity: (i * 7919) % GAMES,
    input: gameInput({
      slug: `g-${i}`,
      title: {
        en: title,
        ...(i % 4 === 0 ? { ko: `${pick(KO, 5)} ${pick(KO, 6)}` } : {}),
        ...(i % 6 === 0 ? { ja: pick(JA, 7) + pick(JA, 8) } : {}),
      },
      summary: { en: `${pick(B, 9)} of the ${pick(A, 10)}` },
      description: { en: `A ${words} game where the ${pick(A, 11)} ${pick(B, 12)} meets ${words.split(' ').reverse().join(' ')}.` },
      genres: [pick(['Action', 'Adventure', 'RPG', 'Strategy'], 13), ...(i % 3 ? ['Indie'] : [])],
      tags: [pick(TAGS, 14), pick(TAGS, 15)],
      developer: `${pick(A, 16)} works`,
      releaseDate: i % 7 === 0 ? null : `20${String(10 + (i % 20)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
      status: i % 23 === 0 ? 'draft' : 'published',
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 499 + ((i * 131) % 5000) },
            ...(i % 2 ? [{ country: 'KR', currency: 'KRW', amountMinor: 5000 + ((i * 977) % 60000) }] : []),
            ...(i % 3 ? [{ country: 'DE', currency: 'EUR', amountMinor: 399 + ((i * 71) % 4000) }] : []),
          ],
        },
      ],
    }),
  };
}

let t: TestStore;
let pool: pg.Pool;
let store: CatalogStore;
let index: SearchIndex;
beforeAll(async () => {
  t = await startTestStore();
  // All at once: more rows than one statement's 65,535 parameters allow (such an import failed before 3 Dec 2026).
  expect(await t.store.catalog.importGames(Array.from({ length: GAMES }, (_, i) => game(i)))).toBe(GAMES);
  pool = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
  store = new CatalogStore(kyselyFor<CatalogTables>(pool));
  index = await SearchIndex.build(await store.searchIndexRows(), await store.vocabularyCounts());
});
afterAll(async () => {
  await pool?.end();
  await t?.close();
});

const typo = (w: string) => (w.length > 4 ? w.slice(0, 2) + w.slice(3) : w);
const queries = [
  ...A.map((w) => w),
  ...B.slice(0, 6).map((w) => `${A[0]} ${w}`),
  ...A.slice(0, 6).map((w, i) => `${w} ${B[i]} ${A[(i + 3) % A.length]}`),
  ...A.slice(0, 8).map((w) => typo(w)),
  ...B.slice(0, 6).map((w, i) => `${typo(A[i]!)} ${typo(w)}`),
  'sh',
  's',
  'dragon q',
  'open world',
  'roguelike horror',
  'works',
  'indie',
  'the a',
  ...KO.slice(0, 4),
  `${KO[0]} ${KO[1]}`,
  ...JA.slice(0, 3),
  'nothingmatcheshere',
  'xyzzy dragon',
];
const filters = [
  {},
  { genre: 'Indie' },
  { release: 'released' as const },
  { release: 'upcoming' as const },
  { maxPrice: 2000 },
  { minPrice: 1000, maxPrice: 3000, genre: 'Action' },
];

describe('word search in memory (R8, issue 15)', () => {
  it('R8 the in-memory index finds, ranks and pages exactly as the PostgreSQL query (ts_rank_cd, title bonus, trigram similarity, popularity cut-off, filters)', async () => {
    let compared = 0;
    let nonEmpty = 0;
    for (const [qi, q] of queries.entries()) {
      const tokens = [...new Set(tokenize(q))].slice(0, 12);
      const latin = tokens.filter((tk) => !isCjk(tk));
      const sqlLookup = await store.lookupWords(latin, tokens.filter(correctable));
      expect(index.lookup(latin, tokens.filter(correctable)), q).toEqual(sqlLookup);
      const terms = buildQuery(tokens, sqlLookup)!;
      for (const [fi, f] of filters.entries()) {
        const shopper = { country: COUNTRIES[(qi + fi) % COUNTRIES.length]!, currency: 'USD' };
        if (shopper.country === 'KR' && fi % 2) shopper.currency = 'KRW';
        const today = '2020-06-15';
        for (const [limit, offset] of [
          [24, 0],
          [10, 20],
        ] as const) {
          const expected = await store.search(toTsQuery(terms), trigramText(q), f, { ...shopper, today }, limit, offset);
          const prices = index.marketPrices(await store.standardPrices(shopper.country, shopper.currency));
          const ranged = f.minPrice !== undefined || f.maxPrice !== undefined;
          const [min, max] = [f.minPrice ?? 0, f.maxPrice ?? Infinity];
          const priced = (r: number) => prices.currency[r] === shopper.currency && prices.amount[r]! >= min && prices.amount[r]! <= max;
          const got = index.search(terms, trigramText(q), { ...f, today, ...(ranged ? { priced } : {}) }, limit, offset);
          const what = `${q} ${JSON.stringify(f)} ${shopper.country}/${shopper.currency} page ${offset}`;
          // (SQL counts the hits on the rows of the page: past the last page it says 0; the index says how many.)
          if (expected.rows.length) expect(got.total, what).toBe(expected.total);
          expect(
            got.ranks.map((r) => index.ids[r]),
            what,
          ).toEqual(expected.rows.map((row) => row.id));
          got.scores.forEach((s, k) => expect(s, what).toBeCloseTo(expected.rows[k]!.score, 4));
          // The cards from memory are the rows SQL reads, priced the same (description aside: cards do not show it).
          expect(
            got.ranks.map((r) => index.card(r, prices)),
            what,
          ).toEqual(expected.rows.map(({ description: _d, score: _s, ...row }) => row));
          compared++;
          if (expected.rows.length) nonEmpty++;
        }
      }
    }
    expect(compared).toBe(queries.length * filters.length * 2);
    const common = await pool.query<{ n: number }>(
      `select count(*)::int as n from games where status = 'published' and search_doc @@ to_tsquery('simple', 'works')`,
    );
    expect(common.rows[0]!.n).toBeGreaterThan(2000);
    // The comparison is about real results: most queries find games.
    expect(nonEmpty).toBeGreaterThan(compared / 2);
  });

  it('R8 drafts are not in the index; published games are', () => {
    expect(index.size).toBe(GAMES - Math.ceil(GAMES / 23));
  });

  it('R8 tsvector text and pg_trgm trigrams are read as PostgreSQL writes them', () => {
    expect(parseTsvector("'it''s':1A,3 'ドラ':2C 'x':4B,5D")).toEqual([
      { lexeme: "it's", positions: [1, 3], weights: [3, 0] },
      { lexeme: 'ドラ', positions: [2], weights: [1] },
      { lexeme: 'x', positions: [4, 5], weights: [2, 0] },
    ]);
    expect([...trigrams('ab cd')].sort()).toEqual(['  a', '  c', ' ab', ' cd', 'ab ', 'cd ']);
    expect(similarity(trigrams('word'), trigrams('wrd'))).toBeCloseTo(Math.fround(2 / 7), 6);
  });
});
