/**
 * The recommender's numeric core, pure and synchronous (no I/O): the store's training job, the offline CLI
 * (`npm run rec:recommend`) and the benchmark all train and rank with these functions, so what is measured is what is
 * served.
 *
 * Implicit feedback only: a (user, game, hours) row says the user owns the game and played it for `hours` (0 = owned,
 * not played). The models:
 * - `popularity`: how many users have the game (the baseline every recommender must beat).
 * - `itemKnn`: cosine similarity between games' user sets, k nearest neighbours (the classic baseline).
 * - `hybrid` (what the store serves): EASE (Steck 2019) on who owns what — binary, heavy users damped — blended with
 *   RP3beta random-walk similarity (Paudel et al. 2017; Dacrema et al. 2019) over playtime-weighted edges, and a
 *   popularity penalty that spreads the top-10 lists over the catalogue instead of repeating the same hits to everybody.
 */

export interface Interaction {
  user: string;
  game: string;
  /** Hours played; 0 = owned, not played. */
  hours: number;
}

/** Interactions indexed: users and games as dense integers, rows in CSR form both ways. */
export interface Matrix {
  users: string[];
  games: string[];
  userIndex: Map<string, number>;
  gameIndex: Map<string, number>;
  /** CSR by user: items[userPtr[u] .. userPtr[u+1]) with weights in userWeight. */
  userPtr: Int32Array;
  userItems: Int32Array;
  userWeight: Float32Array;
  /** CSR by game. */
  gamePtr: Int32Array;
  gameUsers: Int32Array;
  gameWeight: Float32Array;
}

/** Confidence of an interaction: owning counts, playing counts more, with diminishing returns on hours. */
export function confidence(hours: number): number {
  return 1 + Math.log1p(Math.max(0, hours)) / 2;
}

export function buildMatrix(rows: Iterable<Interaction>, catalogue?: Iterable<string>): Matrix {
  const userIndex = new Map<string, number>();
  const gameIndex = new Map<string, number>();
  const users: string[] = [];
  const games: string[] = [];
  for (const g of catalogue ?? []) if (!gameIndex.has(g)) gameIndex.set(g, games.push(g) - 1);
  const cells = new Map<number, Map<number, number>>();
  for (const r of rows) {
    let u = userIndex.get(r.user);
    if (u === undefined) userIndex.set(r.user, (u = users.push(r.user) - 1));
    let g = gameIndex.get(r.game);
    if (g === undefined) gameIndex.set(r.game, (g = games.push(r.game) - 1));
    let row = cells.get(u);
    if (!row) cells.set(u, (row = new Map()));
    row.set(g, Math.max(row.get(g) ?? 0, confidence(r.hours)));
  }
  let nnz = 0;
  for (const row of cells.values()) nnz += row.size;
  const userPtr = new Int32Array(users.length + 1);
  const userItems = new Int32Array(nnz);
  const userWeight = new Float32Array(nnz);
  const gameCount = new Int32Array(games.length + 1);
  let p = 0;
  for (let u = 0; u < users.length; u++) {
    userPtr[u] = p;
    for (const [g, w] of [...(cells.get(u) ?? new Map<number, number>())].sort((a, b) => a[0] - b[0])) {
      userItems[p] = g;
      userWeight[p++] = w;
      gameCount[g + 1]!++;
    }
  }
  userPtr[users.length] = p;
  const gamePtr = new Int32Array(games.length + 1);
  for (let g = 0; g < games.length; g++) gamePtr[g + 1] = gamePtr[g]! + gameCount[g + 1]!;
  const fill = gamePtr.slice(0, games.length);
  const gameUsers = new Int32Array(nnz);
  const gameWeight = new Float32Array(nnz);
  for (let u = 0; u < users.length; u++) {
    for (let q = userPtr[u]!; q < userPtr[u + 1]!; q++) {
      const at = fill[userItems[q]!]!++;
      gameUsers[at] = u;
      gameWeight[at] = userWeight[q]!;
    }
  }
  return { users, games, userIndex, gameIndex, userPtr, userItems, userWeight, gamePtr, gameUsers, gameWeight };
}

/** Number of users who have each game. */
export function popularity(m: Matrix): Float32Array {
  const pop = new Float32Array(m.games.length);
  for (let g = 0; g < m.games.length; g++) pop[g] = m.gamePtr[g + 1]! - m.gamePtr[g]!;
  return pop;
}

/** Sparse item–item similarity: for each game, its top neighbours and their weights. */
export interface Neighbours {
  ptr: Int32Array;
  items: Int32Array;
  weights: Float32Array;
}

/** Keeps the `k` largest entries of a dense row (excluding `self`) into the output lists. */
function topK(row: Float64Array, self: number, k: number, outItems: number[], outWeights: number[]): void {
  const picked: number[] = [];
  for (let j = 0; j < row.length; j++) if (row[j]! > 0 && j !== self) picked.push(j);
  picked.sort((a, b) => row[b]! - row[a]!);
  for (let t = 0; t < Math.min(k, picked.length); t++) {
    outItems.push(picked[t]!);
    outWeights.push(row[picked[t]!]!);
  }
}

function toNeighbours(n: number, build: (g: number, items: number[], weights: number[]) => void): Neighbours {
  const ptr = new Int32Array(n + 1);
  const items: number[] = [];
  const weights: number[] = [];
  for (let g = 0; g < n; g++) {
    build(g, items, weights);
    ptr[g + 1] = items.length;
  }
  return { ptr, items: Int32Array.from(items), weights: Float32Array.from(weights) };
}

export interface KnnOptions {
  k: number;
  shrink: number;
}

/** Cosine similarity on binary ownership with a shrink term (small overlaps count less). */
export function itemKnn(m: Matrix, opts: KnnOptions = { k: 100, shrink: 10 }): Neighbours {
  const pop = popularity(m);
  const row = new Float64Array(m.games.length);
  return toNeighbours(m.games.length, (g, items, weights) => {
    row.fill(0);
    for (let p = m.gamePtr[g]!; p < m.gamePtr[g + 1]!; p++) {
      const u = m.gameUsers[p]!;
      for (let q = m.userPtr[u]!; q < m.userPtr[u + 1]!; q++) row[m.userItems[q]!]! += 1;
    }
    for (let j = 0; j < row.length; j++) if (row[j]! > 0) row[j]! /= Math.sqrt(pop[g]! * pop[j]!) + opts.shrink;
    topK(row, g, opts.k, items, weights);
  });
}

export interface Rp3Options {
  /** Exponent on the transition probabilities (1 = plain random walk). */
  alpha: number;
  /** Popularity penalty on the destination game: similarity / popularity^beta. */
  beta: number;
  k: number;
}

/**
 * RP3beta: a two-step random walk game → user → game over confidence-weighted edges, the destination divided by its
 * popularity^beta. Rows are L1-normalised so that every game's neighbourhood weighs the same.
 */
export function rp3beta(m: Matrix, opts: Rp3Options = { alpha: 0.8, beta: 0.3, k: 150 }): Neighbours {
  const pop = popularity(m);
  const userSum = new Float64Array(m.users.length);
  for (let u = 0; u < m.users.length; u++) {
    for (let q = m.userPtr[u]!; q < m.userPtr[u + 1]!; q++) userSum[u]! += Math.pow(m.userWeight[q]!, opts.alpha);
  }
  const row = new Float64Array(m.games.length);
  return toNeighbours(m.games.length, (g, items, weights) => {
    row.fill(0);
    let gameSum = 0;
    for (let p = m.gamePtr[g]!; p < m.gamePtr[g + 1]!; p++) gameSum += Math.pow(m.gameWeight[p]!, opts.alpha);
    for (let p = m.gamePtr[g]!; p < m.gamePtr[g + 1]!; p++) {
      const u = m.gameUsers[p]!;
      const toUser = Math.pow(m.gameWeight[p]!, opts.alpha) / gameSum;
      for (let q = m.userPtr[u]!; q < m.userPtr[u + 1]!; q++) {
        row[m.userItems[q]!]! += (toUser * Math.pow(m.userWeight[q]!, opts.alpha)) / userSum[u]!;
      }
    }
    let total = 0;
    for (let j = 0; j < row.length; j++) {
      if (row[j]! > 0) {
        row[j]! /= Math.pow(pop[j]!, opts.beta);
        if (j !== g) total += row[j]!;
      }
    }
    if (total > 0) for (let j = 0; j < row.length; j++) row[j]! /= total;
    topK(row, g, opts.k, items, weights);
  });
}

/** Scores every game for a user's games (with their confidence) through a neighbour list. */
export function scoreThrough(nb: Neighbours, owned: ArrayLike<number>, weight: ArrayLike<number>, out: Float64Array, scale = 1): void {
  for (let t = 0; t < owned.length; t++) {
    const g = owned[t]!;
    const w = weight[t]! * scale;
    for (let p = nb.ptr[g]!; p < nb.ptr[g + 1]!; p++) out[nb.items[p]!]! += w * nb.weights[p]!;
  }
}

/** The `k` best-scoring games, skipping those in `exclude`; ties broken by index for reproducibility. */
export function rankTop(scores: Float64Array, k: number, exclude: (g: number) => boolean): number[] {
  const best: number[] = [];
  for (let g = 0; g < scores.length; g++) {
    if (exclude(g)) continue;
    const s = scores[g]!;
    if (best.length === k && s <= scores[best[k - 1]!]!) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(g);
    while (at > 0 && scores[best[at - 1]!]! < s) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = g;
  }
  return best;
}

export interface HybridOptions {
  ease: EaseOptions;
  rp3: Rp3Options;
  /** Weight of RP3beta next to EASE (each normalised to a maximum of 1 per user). */
  rp3Weight: number;
  /** Final score / (popularity + 1)^penalty: spreads the lists over the catalogue. */
  popularityPenalty: number;
}

/** Chosen on steam-200k leave-one-out (bench/rec.ts): NDCG@10 and catalogue coverage both count. */
export const DEFAULT_HYBRID: HybridOptions = {
  // EASE trained on who owns what (binary Gram, heavy users damped by |games|^−0.5, λ relative to the data) and scored
  // with the history's weights (hours, reviews, recency): NDCG@10 0.225 → 0.234 (seed 42) and 0.240 → 0.252 (seed 7)
  // at 33 % coverage, against EASE trained on playtime confidence (λ 300) with RP3beta at 0.6.
  ease: { lambda: 300, relativeLambda: 1.5, binary: true, userExponent: 0.5, minUsers: 2, maxGames: 2000 },
  rp3: { alpha: 0.7, beta: 0.4, k: 100 },
  rp3Weight: 0.3,
  popularityPenalty: 0.2,
};

/** A trained model: EASE over the games with enough users, RP3beta over all, and the popularity penalty. */
export class Recommender {
  private constructor(
    readonly matrix: Matrix,
    private readonly easeModel: EaseModel,
    private readonly rp3: Neighbours,
    private readonly penalty: Float64Array,
    private readonly opts: HybridOptions,
  ) {}

  static train(m: Matrix, opts: HybridOptions = DEFAULT_HYBRID): Recommender {
    const pop = popularity(m);
    const penalty = new Float64Array(pop.length);
    for (let g = 0; g < pop.length; g++) penalty[g] = 1 / Math.pow(pop[g]! + 1, opts.popularityPenalty);
    return new Recommender(m, ease(m, opts.ease), rp3beta(m, opts.rp3), penalty, opts);
  }

  /** Scores for every game given a history of (game index, confidence). */
  scores(owned: ArrayLike<number>, weight: ArrayLike<number>): Float64Array {
    const n = this.matrix.games.length;
    const e = new Float64Array(n);
    scoreEase(this.easeModel, owned, weight, e);
    const r = new Float64Array(n);
    scoreThrough(this.rp3, owned, weight, r);
    let emax = 0;
    let rmax = 0;
    for (let g = 0; g < n; g++) {
      emax = Math.max(emax, e[g]!);
      rmax = Math.max(rmax, r[g]!);
    }
    for (let g = 0; g < n; g++) {
      const ease = e[g]! > 0 ? e[g]! / emax : 0;
      // The last term only orders games nothing points to (a tiny popularity tie-break), so a list is never padded at random.
      e[g] = (ease + (rmax > 0 ? (this.opts.rp3Weight * r[g]!) / rmax : 0)) * this.penalty[g]! + 1e-9 / this.penalty[g]!;
    }
    return e;
  }

  /** The top `k` game indexes for a user index of the training matrix, never a game the user has. */
  recommendFor(u: number, k: number): number[] {
    const m = this.matrix;
    const from = m.userPtr[u];
    const to = m.userPtr[u + 1];
    const owned = m.userItems.subarray(from, to);
    const scores = this.scores(owned, m.userWeight.subarray(from, to));
    const have = new Set(owned);
    return rankTop(scores, k, (g) => have.has(g));
  }

  /** Games most like one game ("More like this"): the model's scores for a history of that game alone. */
  similarTo(game: number, k: number): { game: number; score: number }[] {
    const scores = this.scores([game], [1]);
    return rankTop(scores, k, (g) => g === game)
      .filter((g) => scores[g]! > 1e-6)
      .map((g) => ({ game: g, score: scores[g]! }));
  }

  /** The game of the history that contributed most to a game's score: "because you played X". */
  because(owned: ArrayLike<number>, weight: ArrayLike<number>, game: number): number | undefined {
    let best: number | undefined;
    let bestScore = 0;
    const n = this.easeModel.games.length;
    const target = this.easeModel.slot[game]!;
    for (let t = 0; t < owned.length; t++) {
      const g = owned[t]!;
      let s = 0;
      const from = this.easeModel.slot[g]!;
      if (from >= 0 && target >= 0) s = this.easeModel.b[from * n + target]! * weight[t]!;
      for (let p = this.rp3.ptr[g]!; p < this.rp3.ptr[g + 1]!; p++) {
        if (this.rp3.items[p]! === game) s += this.rp3.weights[p]! * weight[t]!;
      }
      if (s > bestScore) [best, bestScore] = [g, s];
    }
    return best;
  }
}

export interface EaseOptions {
  /** L2 regularisation on the item–item weights. */
  lambda: number;
  /** When set, λ = this × the Gram matrix's mean diagonal (so it scales with the data), instead of `lambda`. */
  relativeLambda?: number;
  /** Owning counts, hours do not: the Gram matrix uses 1 for every game a user has (scores still weigh the history). */
  binary?: boolean;
  /** Each user's co-occurrences weigh |games|^−γ: a player with 300 games says less about each pair than one with 10. */
  userExponent?: number;
  /** Only games at least this many users have take part (the dense inverse costs n³). */
  minUsers: number;
  /** At most this many games, the most popular first. */
  maxGames: number;
}

/** EASE (Steck 2019): a closed-form item–item linear model, B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹. Dense. */
export interface EaseModel {
  /** Full-matrix game index → row in B, or −1. */
  slot: Int32Array;
  /** slot → full-matrix game index. */
  games: Int32Array;
  /** Row-major n × n weights; the diagonal is 0. */
  b: Float32Array;
}

export function ease(m: Matrix, opts: EaseOptions): EaseModel {
  const pop = popularity(m);
  const chosen = [...pop.keys()]
    .filter((g) => pop[g]! >= opts.minUsers)
    .sort((a, b) => pop[b]! - pop[a]! || a - b)
    .slice(0, opts.maxGames);
  const n = chosen.length;
  const slot = new Int32Array(m.games.length).fill(-1);
  chosen.forEach((g, i) => (slot[g] = i));
  // Gram matrix of the confidence-weighted user × game matrix, over the chosen games.
  const a = new Float64Array(n * n);
  const rowSlots: number[] = [];
  const rowWeights: number[] = [];
  for (let u = 0; u < m.users.length; u++) {
    rowSlots.length = 0;
    rowWeights.length = 0;
    for (let q = m.userPtr[u]!; q < m.userPtr[u + 1]!; q++) {
      const s = slot[m.userItems[q]!]!;
      if (s >= 0) {
        rowSlots.push(s);
        rowWeights.push(opts.binary ? 1 : m.userWeight[q]!);
      }
    }
    const wu = opts.userExponent && rowSlots.length ? Math.pow(rowSlots.length, -opts.userExponent) : 1;
    for (let x = 0; x < rowSlots.length; x++) {
      const base = rowSlots[x]! * n;
      const wx = wu * rowWeights[x]!;
      for (let y = 0; y < rowSlots.length; y++) a[base + rowSlots[y]!]! += wx * rowWeights[y]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  const lambda = opts.relativeLambda !== undefined && n > 0 ? (opts.relativeLambda * trace) / n : opts.lambda;
  for (let i = 0; i < n; i++) a[i * n + i]! += lambda;
  const p = invertSpd(a, n);
  const b = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) b[i * n + j] = -p[i * n + j]! / p[j * n + j]!;
  }
  return { slot, games: Int32Array.from(chosen), b };
}

/**
 * Inverse of a symmetric positive definite matrix (row-major, n × n) by Cholesky: A = LLᵀ, then A⁻¹ = L⁻ᵀL⁻¹.
 * Every inner loop is a dot product over two contiguous rows (about n³/2 multiply-adds in all). `a` is overwritten.
 */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  // Cholesky, lower triangle in place.
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (d <= 0) throw new Error('matrix is not positive definite');
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
  }
  // U = (L⁻¹)ᵀ, upper triangular, row-major: column i of L⁻¹ solves L x = e_i (x is zero above i).
  const u = new Float64Array(n * n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x.fill(0, 0, n);
    for (let r = i; r < n; r++) {
      const rr = r * n;
      let s = r === i ? 1 : 0;
      for (let k = i; k < r; k++) s -= a[rr + k]! * x[k]!;
      x[r] = s / a[rr + r]!;
    }
    u.set(x.subarray(i), i * n + i);
  }
  // A⁻¹[i][j] = Σ_k≥max(i,j) U[i][k]·U[j][k].
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = j; k < n; k++) s += u[ri + k]! * u[rj + k]!;
      inv[ri + j] = s;
      inv[rj + i] = s;
    }
  }
  return inv;
}

/** Adds EASE scores of a history (full-matrix game indexes with confidences) into `out` (full-matrix indexes). */
export function scoreEase(model: EaseModel, owned: ArrayLike<number>, weight: ArrayLike<number>, out: Float64Array, scale = 1): void {
  const n = model.games.length;
  for (let t = 0; t < owned.length; t++) {
    const s = model.slot[owned[t]!]!;
    if (s < 0) continue;
    const w = weight[t]! * scale;
    const base = s * n;
    for (let j = 0; j < n; j++) out[model.games[j]!]! += w * model.b[base + j]!;
  }
}
