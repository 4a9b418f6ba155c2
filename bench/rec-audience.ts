import { audienceScores, rocAuc, type AudienceEvent, type GameFacts } from '../src/recommendations/audience.ts';
import { normaliseTitle, steamRows, ucsdGames } from './rec-data.ts';

/**
 * Audience quality (S1.2) on time-ordered data: steam-200k ownership joined to UCSD release dates by title; an owned
 * game counts as an event on its release date (the earliest it could have been bought). For every fourth target game
 * released 2012–2017 with at least 40 owners here (by id), every user with an event before the release is scored from those events
 * only; positives are the users who own the target. ROC-AUC averaged over targets, for the model and two baselines.
 */
export function audienceBench(opts: { appetiteWeight?: number; halfLifeDays?: number } = {}) {
  const catalogue = new Map<string, GameFacts & { release: string }>();
  for (const g of ucsdGames()) {
    const key = normaliseTitle(g.title);
    if (!catalogue.has(key))
      catalogue.set(key, { id: key, genres: g.genres, tags: g.tags, developer: g.developer, release: g.releaseDate });
  }
  const { played, owned } = steamRows();
  const events: AudienceEvent[] = [];
  for (const r of [...played, ...owned]) {
    const g = catalogue.get(normaliseTitle(r.game));
    if (g) events.push({ user: r.user, game: g.id, at: new Date(`${g.release}T00:00:00Z`), hours: r.hours });
  }
  const owners = new Map<string, Set<string>>();
  for (const e of events) owners.set(e.game, (owners.get(e.game) ?? new Set()).add(e.user));
  const targets = [...catalogue.values()]
    .filter((g) => g.release >= '2012-01-01' && g.release < '2018-01-01' && (owners.get(g.id)?.size ?? 0) >= 40)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    // Every fourth: enough targets for a stable mean, a bench that runs in about a minute.
    .filter((_, i) => i % 4 === 0);
  const result = { targets: targets.length, model: 0, appetiteOnly: 0, genreShare: 0 };
  for (const t of targets) {
    const asOf = new Date(`${t.release}T00:00:00Z`);
    const positives = owners.get(t.id)!;
    const model = audienceScores(events, catalogue, t, asOf, {
      halfLifeDays: opts.halfLifeDays ?? 365,
      appetiteWeight: opts.appetiteWeight ?? 1,
    });
    const appetite = audienceScores(events, catalogue, { ...t, genres: [], tags: [], developer: undefined }, asOf);
    // Baseline: the share of the user's earlier games in the target's first genre.
    const share = new Map<string, number>();
    const total = new Map<string, number>();
    for (const e of events) {
      if (!(e.at < asOf) || !model.has(e.user)) continue;
      total.set(e.user, (total.get(e.user) ?? 0) + 1);
      if (t.genres[0] && catalogue.get(e.game)?.genres.includes(t.genres[0])) share.set(e.user, (share.get(e.user) ?? 0) + 1);
    }
    const genreShare = new Map([...model.keys()].map((u) => [u, (share.get(u) ?? 0) / (total.get(u) ?? 1)]));
    result.model += rocAuc(model, positives) / targets.length;
    result.appetiteOnly += rocAuc(appetite, positives) / targets.length;
    result.genreShare += rocAuc(genreShare, positives) / targets.length;
  }
  return result;
}
