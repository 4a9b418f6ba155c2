/**
 * Scores every user for one game with the audience model of the new-release mail (S1.2):
 *
 *   npm run rec:audience -- --events EV.csv --games G.csv --game ID --as-of 2016-05-01 --out SCORES.csv
 *
 * EV.csv: `user_id,game_id,timestamp,hours,recommend` (hours and recommend may be empty); G.csv:
 * `game_id,title,genres,tags,release_date` (genres and tags separated by `|`). Writes `user_id,score` for every user
 * with an event strictly before --as-of, using only those events.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { audienceScores, type AudienceEvent, type GameFacts } from '../audience.ts';
import { csvField, readCsv } from '../../platform/csv.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    games: { type: 'string' },
    game: { type: 'string' },
    'as-of': { type: 'string' },
    out: { type: 'string' },
  },
});
const asOfText = values['as-of'];
if (!values.events || !values.games || !values.game || !asOfText || !values.out) {
  console.error('usage: npm run rec:audience -- --events EV.csv --games G.csv --game ID --as-of YYYY-MM-DD --out SCORES.csv');
  process.exit(2);
}
const asOf = new Date(/^\d{4}-\d{2}-\d{2}$/.test(asOfText) ? `${asOfText}T00:00:00Z` : asOfText);
if (Number.isNaN(asOf.getTime())) throw new Error(`--as-of must be a date (YYYY-MM-DD) or an ISO instant, not ${asOfText}`);

const list = (s: string) =>
  s
    ? s
        .split('|')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
const gameRows = readCsv(values.games, readFileSync(values.games, 'utf8'), ['game_id', 'title', 'genres', 'tags', 'release_date']);
const games = new Map<string, GameFacts>(gameRows.map((r) => [r.game_id, { id: r.game_id, genres: list(r.genres), tags: list(r.tags) }]));
const target = games.get(values.game);
if (!target) throw new Error(`${values.games} has no game ${values.game}`);

const eventRows = readCsv(values.events, readFileSync(values.events, 'utf8'), ['user_id', 'game_id', 'timestamp', 'hours', 'recommend']);
const events: AudienceEvent[] = eventRows.map((r, i) => {
  const at = new Date(/^\d+$/.test(r.timestamp) ? Number(r.timestamp) * 1000 : r.timestamp);
  if (Number.isNaN(at.getTime())) throw new Error(`${values.events} row ${i + 2}: timestamp ${r.timestamp} is not a date`);
  const recommend = r.recommend === '' ? undefined : ['1', 'true', 'yes'].includes(r.recommend.toLowerCase());
  return { user: r.user_id, game: r.game_id, at, hours: r.hours === '' ? undefined : Number(r.hours), recommend };
});
const scores = audienceScores(events, games, target, asOf);
// Every user with an event before the cut-off, owners of the target included (they score 0: never mailed).
const users = new Set(events.filter((e) => e.at < asOf).map((e) => e.user));
const lines = ['user_id,score', ...[...users].map((u) => `${csvField(u)},${(scores.get(u) ?? 0).toFixed(6)}`)];
writeFileSync(values.out, `${lines.join('\n')}\n`);
console.error(`${users.size} users scored for ${values.game} as of ${asOf.toISOString()}: ${values.out}`);
