import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Interaction } from '../src/recommendations/model.ts';
import { readCsv } from '../src/platform/csv.ts';

export const SHARED_DATA = process.env.SHARED_DATA ?? join(import.meta.dirname, '../../shared/data');

/** steam-200k's play rows, one per (user, game) with the hours summed. Titles are the game ids. */
export function steamRows(file = join(SHARED_DATA, 'steam-200k.csv')): { played: Interaction[]; owned: Interaction[] } {
  const hours = new Map<string, number>();
  const owned = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d+),"(.*)",(purchase|play),([\d.]+),/.exec(line);
    if (!m) continue;
    const key = `${m[1]}\u0000${m[2]}`;
    if (m[3] === 'purchase') owned.add(key);
    else hours.set(key, (hours.get(key) ?? 0) + Number(m[4]));
  }
  const row = (key: string, h: number) => {
    const [user = '', game = ''] = key.split('\u0000');
    return { user, game, hours: h };
  };
  return {
    played: [...hours].map(([key, h]) => row(key, h)),
    owned: [...owned].filter((key) => !hours.has(key)).map((key) => row(key, 0)),
  };
}

/** steam-200k's play rows, one per (user, game) with the hours summed. Titles are the game ids. */
export function steamPlayRows(file = join(SHARED_DATA, 'steam-200k.csv')): Interaction[] {
  const hours = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d+),"(.*)",(purchase|play),([\d.]+),/.exec(line);
    if (!m || m[3] !== 'play') continue;
    const key = `${m[1]}\u0000${m[2]}`;
    hours.set(key, (hours.get(key) ?? 0) + Number(m[4]));
  }
  return [...hours].map(([key, h]) => {
    const [user = '', game = ''] = key.split('\u0000');
    return { user, game, hours: h };
  });
}

/** A small seeded PRNG (mulberry32): the same seed gives the same split on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LeaveOneOut {
  train: Interaction[];
  heldOut: Map<string, string>;
  catalogue: string[];
}

/** Leave-one-out: every user with at least `minGames` played games loses one of them, chosen at random. */
export function leaveOneOut(rows: Interaction[], seed: number, minGames = 5): LeaveOneOut {
  const random = seeded(seed);
  const byUser = new Map<string, Interaction[]>();
  for (const r of rows) {
    const list = byUser.get(r.user) ?? [];
    list.push(r);
    byUser.set(r.user, list);
  }
  const heldOut = new Map<string, string>();
  const train: Interaction[] = [];
  for (const [user, list] of [...byUser].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    list.sort((a, b) => (a.game < b.game ? -1 : 1));
    const out = list.length >= minGames ? Math.floor(random() * list.length) : -1;
    list.forEach((r, i) => (i === out ? heldOut.set(user, r.game) : train.push(r)));
  }
  return { train, heldOut, catalogue: [...new Set(rows.map((r) => r.game))].sort() };
}

export interface UcsdGame {
  id: string;
  title: string;
  developer: string;
  releaseDate: string;
  genres: string[];
  tags: string[];
}

/** Titles compared without case, punctuation or trademark signs. */
export const normaliseTitle = (t: string) => t.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** ucsd-steam-games.csv: appid, title, developer, release date, genres and tags. */
export function ucsdGames(file = join(SHARED_DATA, 'ucsd-steam-games.csv')): UcsdGame[] {
  return readCsv(file, readFileSync(file, 'utf8'), ['id', 'title', 'app_name', 'developer', 'release_date', 'genres', 'tags'])
    .filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.release_date))
    .map((r) => ({
      id: r.id,
      title: r.title || r.app_name,
      developer: r.developer,
      releaseDate: r.release_date,
      genres: r.genres ? r.genres.split('|') : [],
      tags: r.tags ? r.tags.split('|') : [],
    }));
}
