/**
 * Offline recommendations with the model the store serves:
 *
 *   npm run rec:recommend -- --interactions IN.csv --out OUT.jsonl [--k 10]
 *
 * IN.csv: `user_id,game_id,hours` (hours 0 = owned, not played). The catalogue is the set of game ids in the file.
 * OUT.jsonl: one `{"user_id":"…","game_ids":[…]}` line per user of the input, never a game that user has in it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildMatrix, Recommender } from '../model.ts';
import { readCsv } from '../../platform/csv.ts';

const { values } = parseArgs({
  options: { interactions: { type: 'string' }, out: { type: 'string' }, k: { type: 'string', default: '10' } },
});
if (!values.interactions || !values.out) {
  console.error('usage: npm run rec:recommend -- --interactions IN.csv --out OUT.jsonl [--k 10]');
  process.exit(2);
}
const k = Number(values.k);
if (!Number.isInteger(k) || k < 1) throw new Error(`--k must be a positive integer, not ${values.k}`);
const rows = readCsv(values.interactions, readFileSync(values.interactions, 'utf8'), ['user_id', 'game_id', 'hours']);
const started = performance.now();
const matrix = buildMatrix(rows.map((r) => ({ user: r.user_id, game: r.game_id, hours: Number(r.hours) || 0 })));
const model = Recommender.train(matrix);
const lines = matrix.users.map((user, u) =>
  JSON.stringify({ user_id: user, game_ids: model.recommendFor(u, k).map((g) => matrix.games[g]) }),
);
writeFileSync(values.out, lines.length ? `${lines.join('\n')}\n` : '');
console.error(
  `${matrix.users.length} users, ${matrix.games.length} games: recommendations written to ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
