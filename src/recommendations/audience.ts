/**
 * Who will want a game nobody has played yet (S1.2): scores users for a new or announced game from what they did
 * before a cut-off instant only. The store's new-release mail and `npm run rec:audience` both call `audienceScores`.
 *
 * A new game has no interactions, so collaborative filtering cannot reach it; the score combines
 * - taste: the cosine between the user's tag/genre/developer profile (games weighted by playtime confidence, review
 *   verdict and a half-life decay) and the game's own features, IDF-weighted so that "Indie" counts less than
 *   "Roguelike";
 * - appetite: how much the user acquired recently (someone who buys a game a month is likelier to buy this one than
 *   someone whose last purchase was years ago), on a log scale.
 * Ranking by "share of history in the genre" alone is close to random on real data; appetite carries most of the
 * signal and taste orders users of equal appetite (bench:rec measures both parts).
 */
import { confidence } from './model.ts';

export interface GameFacts {
  id: string;
  genres: string[];
  tags: string[];
  developer?: string;
}

export interface AudienceEvent {
  user: string;
  game: string;
  at: Date;
  /** Hours played, when known. */
  hours?: number;
  /** A review's verdict, when the event is a review. */
  recommend?: boolean;
}

export interface AudienceOptions {
  /** Half-life of an event's weight in the taste profile and in appetite. */
  halfLifeDays: number;
  /** Weight of appetite next to taste. */
  appetiteWeight: number;
}

export const DEFAULT_AUDIENCE: AudienceOptions = { halfLifeDays: 365, appetiteWeight: 1 };

function features(g: GameFacts): string[] {
  const f = new Set<string>();
  for (const x of g.genres) f.add(`genre:${x.toLowerCase()}`);
  for (const x of g.tags) f.add(`tag:${x.toLowerCase()}`);
  if (g.developer) f.add(`dev:${g.developer.toLowerCase()}`);
  return [...f];
}

/**
 * A score per user who has at least one event strictly before `asOf`; events at or after it are ignored. Higher
 * means likelier to want `target`. Users who already have the target game before `asOf` are left out.
 */
export function audienceScores(
  events: Iterable<AudienceEvent>,
  games: ReadonlyMap<string, GameFacts>,
  target: GameFacts,
  asOf: Date,
  opts: AudienceOptions = DEFAULT_AUDIENCE,
): Map<string, number> {
  return new Map([...audience(events, games, target, asOf, opts)].map(([u, a]) => [u, a.score]));
}

/** Per user: the score, and its taste part alone (0–1: how close the user's profile is to the game's features). */
export function audience(
  events: Iterable<AudienceEvent>,
  games: ReadonlyMap<string, GameFacts>,
  target: GameFacts,
  asOf: Date,
  opts: AudienceOptions = DEFAULT_AUDIENCE,
): Map<string, { score: number; taste: number }> {
  const cutoff = asOf.getTime();
  const halfLifeMs = opts.halfLifeDays * 86_400_000;
  const featureCache = new Map<string, string[]>();
  const featuresOf = (id: string) => {
    let f = featureCache.get(id);
    if (!f) featureCache.set(id, (f = games.has(id) ? features(games.get(id)!) : []));
    return f;
  };
  // Document frequency over the games known before the cut-off, for IDF.
  const df = new Map<string, number>();
  let known = 0;
  const profiles = new Map<string, { vec: Map<string, number>; appetite: number; owns: boolean }>();
  const seenGames = new Set<string>();
  for (const e of events) {
    const t = e.at.getTime();
    if (!(t < cutoff)) continue;
    let p = profiles.get(e.user);
    if (!p) profiles.set(e.user, (p = { vec: new Map(), appetite: 0, owns: false }));
    if (e.game === target.id) {
      p.owns = true;
      continue;
    }
    const decay = Math.pow(0.5, (cutoff - t) / halfLifeMs);
    const verdict = e.recommend === false ? -0.5 : e.recommend === true ? 1.5 : 1;
    const w = confidence(e.hours ?? 0) * verdict * decay;
    p.appetite += decay;
    for (const f of featuresOf(e.game)) p.vec.set(f, (p.vec.get(f) ?? 0) + w);
    if (!seenGames.has(e.game)) {
      seenGames.add(e.game);
      known++;
      for (const f of featuresOf(e.game)) df.set(f, (df.get(f) ?? 0) + 1);
    }
  }
  const idf = (f: string) => Math.log((known + 1) / ((df.get(f) ?? 0) + 1)) + 1;
  const targetVec = new Map(features(target).map((f) => [f, idf(f)]));
  let targetNorm = 0;
  for (const v of targetVec.values()) targetNorm += v * v;
  targetNorm = Math.sqrt(targetNorm) || 1;
  const scores = new Map<string, { score: number; taste: number }>();
  for (const [user, p] of profiles) {
    if (p.owns) continue;
    let dot = 0;
    let norm = 0;
    for (const [f, v] of p.vec) {
      const w = v * idf(f);
      norm += w * w;
      const tv = targetVec.get(f);
      if (tv) dot += w * tv;
    }
    const taste = norm > 0 ? Math.max(0, dot) / (Math.sqrt(norm) * targetNorm) : 0;
    scores.set(user, { score: taste + opts.appetiteWeight * Math.log1p(p.appetite) * (0.5 + taste), taste });
  }
  return scores;
}

/** ROC-AUC of scores against a set of positives (the probability a random positive outranks a random negative). */
export function rocAuc(scores: ReadonlyMap<string, number>, positives: ReadonlySet<string>): number {
  const ranked = [...scores].sort((a, b) => a[1] - b[1]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < ranked.length;) {
    let j = i;
    while (j < ranked.length && ranked[j]![1] === ranked[i]![1]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) {
      if (positives.has(ranked[t]![0])) {
        rankSum += avgRank;
        pos++;
      }
    }
    i = j;
  }
  const neg = ranked.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
