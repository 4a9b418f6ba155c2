import { Worker } from 'node:worker_threads';
import { buildMatrix, rankTop, Recommender, type Interaction, type Matrix } from './model.ts';
import type { ListedItem } from './store.ts';

export interface TrainingInput {
  interactions: Interaction[];
  /** Length of each user's precomputed list. */
  listLength: number;
  /** Length of each game's "more like this" list. */
  similarLength: number;
}

export interface OfflineMetrics {
  /** Users with one interaction held out. */
  users: number;
  ndcg10: number;
  hr10: number;
  coverage: number;
  popularityNdcg10: number;
}

export interface TrainingOutput {
  lists: [string, ListedItem[]][];
  similar: [string, ListedItem[]][];
  users: number;
  games: number;
  interactions: number;
  trainMs: number;
  /** Leave-one-out on this store's own data (null while there are too few users to say anything). */
  metrics: OfflineMetrics | null;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** Trains on the store's interactions and precomputes every user's list and every game's neighbours. Pure. */
export function train(input: TrainingInput): TrainingOutput {
  const started = performance.now();
  const m = buildMatrix(input.interactions);
  const model = Recommender.train(m);
  const lists: [string, ListedItem[]][] = [];
  for (let u = 0; u < m.users.length; u++) {
    const owned = m.userItems.subarray(m.userPtr[u], m.userPtr[u + 1]);
    const weights = m.userWeight.subarray(m.userPtr[u], m.userPtr[u + 1]);
    const scores = model.scores(owned, weights);
    const have = new Set(owned);
    const top = rankTop(scores, input.listLength, (g) => have.has(g));
    lists.push([
      m.users[u]!,
      top.map((g) => {
        const because = model.because(owned, weights, g);
        return { gameId: m.games[g]!, score: round(scores[g]!), ...(because === undefined ? {} : { because: m.games[because]! }) };
      }),
    ]);
  }
  const similar: [string, ListedItem[]][] = m.games.map((id, g) => [
    id,
    model.similarTo(g, input.similarLength).map((s) => ({ gameId: m.games[s.game]!, score: round(s.score) })),
  ]);
  const trainMs = Math.round(performance.now() - started);
  return {
    lists,
    similar,
    users: m.users.length,
    games: m.games.length,
    interactions: input.interactions.length,
    trainMs,
    metrics: holdout(m, input.interactions),
  };
}

/** Leave-one-out on up to 1,000 users with at least three games (deterministic: the most recent index is held out). */
function holdout(m: Matrix, rows: Interaction[]): OfflineMetrics | null {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.user, (counts.get(r.user) ?? 0) + 1);
  const eligible = [...counts]
    .filter(([, n]) => n >= 3)
    .map(([u]) => u)
    .slice(0, 1000);
  if (eligible.length < 20 || m.games.length < 5) return null;
  const heldOut = new Map<string, string>();
  for (const u of eligible) {
    const ui = m.userIndex.get(u)!;
    heldOut.set(u, m.games[m.userItems[m.userPtr[ui + 1]! - 1]!]!);
  }
  const train = buildMatrix(
    rows.filter((r) => heldOut.get(r.user) !== r.game),
    m.games,
  );
  const model = Recommender.train(train);
  const pop = new Float64Array(train.games.length);
  for (let g = 0; g < pop.length; g++) pop[g] = train.gamePtr[g + 1]! - train.gamePtr[g]!;
  let ndcg = 0;
  let hits = 0;
  let popNdcg = 0;
  const shown = new Set<number>();
  for (const [user, game] of heldOut) {
    const u = train.userIndex.get(user)!;
    const target = train.gameIndex.get(game)!;
    const top = model.recommendFor(u, 10);
    for (const g of top) shown.add(g);
    const at = top.indexOf(target);
    if (at >= 0) {
      hits++;
      ndcg += 1 / Math.log2(at + 2);
    }
    const have = new Set(train.userItems.subarray(train.userPtr[u], train.userPtr[u + 1]));
    const popAt = rankTop(pop, 10, (g) => have.has(g)).indexOf(target);
    if (popAt >= 0) popNdcg += 1 / Math.log2(popAt + 2);
  }
  const n = heldOut.size;
  return {
    users: n,
    ndcg10: round(ndcg / n),
    hr10: round(hits / n),
    coverage: round(shown.size / train.games.length),
    popularityNdcg10: round(popNdcg / n),
  };
}

/** Trains in a worker thread: the numeric work never blocks the HTTP event loop. */
export function trainInWorker(input: TrainingInput): Promise<TrainingOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./train-worker.mjs', import.meta.url), { workerData: input });
    worker.once('message', (out: TrainingOutput) => {
      resolve(out);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the training worker exited with code ${code}`));
    });
  });
}
