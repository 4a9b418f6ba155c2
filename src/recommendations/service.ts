import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { Tx } from '../platform/db/tx.ts';
import type { EventLog, EventOf } from '../platform/events.ts';
import { newId } from '../platform/ids.ts';
import { notFound } from '../platform/errors.ts';
import { recommendationError } from './errors.ts';
import type { Shopper } from '../platform/shopper.ts';
import type { GameCard } from '../catalog/schemas.ts';
import type { Reason, Recommendation } from './schemas.ts';
import type { RecommendationStore, ListedItem } from './store.ts';
import type { TrainingInput, TrainingOutput } from './training.ts';
import '../orders/events.ts';
import '../activity/events.ts';
import '../reviews/events.ts';

export interface RecommendationDeps {
  store: RecommendationStore;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Published games as cards for a shopper, in the order asked (catalog context). */
  cards: (ids: readonly string[], shopper: Shopper) => Promise<GameCard[]>;
  /** Published games with their genres, most popular first, for cold start (catalog context). */
  popular: () => Promise<{ id: string; genres: string[] }[]>;
  /** Whether a game is published (catalog context). */
  published: (gameId: string) => Promise<boolean>;
  /** The catalogue's genres, for the genre picks (catalog context). */
  genres: () => Promise<string[]>;
  /**
   * The games in the user's library now (orders context): the projected signals follow the event log and can be a
   * moment behind a purchase, so "never recommend what the user owns" asks the library itself.
   */
  owned?: (userId: string) => Promise<string[]>;
  /** The user's friends (friends context): what they own and play counts for the user. */
  friendsOf: (userId: string) => Promise<string[]>;
  /** Social-network trends per game (sns.ts), when a feed is configured. */
  trends?: () => Promise<{ gameId: string; mentions: number; trend: number }[]>;
  /** Runs training (default: in a worker thread). */
  train: (input: TrainingInput) => Promise<TrainingOutput>;
}

/** The durable training schedule (platform timers): one timer per slot, the handler schedules the next. */
export const REC_TRAIN_TIMER = {
  handler: 'train-recommendations',
  next: (now: Date, intervalMs: number) => {
    const slot = Math.floor(now.getTime() / intervalMs + 1) * intervalMs;
    return {
      id: `train-recommendations:${new Date(slot).toISOString()}`,
      handler: 'train-recommendations',
      input: {},
      dueAt: new Date(slot),
    };
  },
} as const;

const LIST_LENGTH = 60;
const SIMILAR_LENGTH = 20;
/** A game seen in the discovery queue stays out of the queue this long. */
const QUEUE_SEEN_MS = 7 * 86_400_000;
/** A signal newer than the user's list adds its game's neighbours with this weight next to the list's own scores. */
const FRESH_WEIGHT = 2;
/** Friends who own or play a game add this much per friend (with diminishing returns) to its score. */
const FRIEND_WEIGHT = 0.5;
/** The most talked-about game on social networks adds this much to its score, others in proportion. */
const SOCIAL_WEIGHT = 0.3;

type RecEvent = EventOf<
  | 'library.added'
  | 'library.removed'
  | 'wishlist.added'
  | 'wishlist.removed'
  | 'play.started'
  | 'play.ended'
  | 'order.paid'
  | 'review.posted'
  | 'review.removed'
  | 'community.posted'
>;

/**
 * Personal recommendations (R8, R9): a projection of the event log (what each user has, wants and plays), a model
 * trained on it off the event loop, precomputed lists, and serving that re-ranks those lists with the signals that
 * arrived since training — a wishlist or a play session changes the next page view, not the next training run.
 */
export class RecommendationService {
  /** The last training started on this node; a new one waits for it (one at a time, each sees what came before). */
  private training: Promise<unknown> = Promise.resolve();
  private popularCache?: { at: number; ids: Promise<{ id: string; genres: string[] }[]> };

  constructor(private readonly d: RecommendationDeps) {}

  /** Subscribes the projection to the event log. */
  subscribe(events: EventLog): void {
    events.consumer({
      name: 'recommendations.signals',
      types: [
        'library.added',
        'library.removed',
        'wishlist.added',
        'wishlist.removed',
        'play.started',
        'play.ended',
        'order.paid',
        'review.posted',
        'review.removed',
        'community.posted',
      ],
      handle: (tx, batch) => this.apply(tx, batch),
    });
  }

  private async apply(tx: Tx, batch: RecEvent[]): Promise<void> {
    const s = this.d.store;
    for (const e of batch) {
      const at = e.occurredAt;
      switch (e.type) {
        case 'library.added':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { owned: true, wishlisted: false }, at);
          break;
        case 'library.removed':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { owned: false }, at);
          break;
        case 'wishlist.added':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { wishlisted: true }, at);
          break;
        case 'wishlist.removed':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { wishlisted: false }, at);
          break;
        case 'play.started':
          await s.signal(tx, e.payload.userId, e.payload.gameId, {}, at);
          break;
        case 'play.ended':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { addSeconds: e.payload.seconds }, at);
          break;
        case 'order.paid':
          await s.sale(tx, e.payload.country, e.payload.gameId);
          break;
        case 'review.posted':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { recommended: e.payload.recommended }, at);
          break;
        case 'review.removed':
          await s.signal(tx, e.payload.userId, e.payload.gameId, { recommended: null }, at);
          break;
        case 'community.posted':
          // Talking about a game on its board: interest, like starting to play it (a recent signal, no hours).
          await s.signal(tx, e.payload.userId, e.payload.gameId, {}, at);
          break;
      }
    }
  }

  /** Trains a model and stores its lists; one run at a time per node. Resolves to the model id. */
  trainNow(): Promise<string> {
    // A training already running may have read the interactions before the caller's latest change: this one runs
    // after it, so what the caller did is in the lists it answers with.
    const run = this.training.catch(() => undefined).then(() => this.runTraining());
    this.training = run;
    return run;
  }

  private async runTraining(): Promise<string> {
    const id = newId();
    await this.d.store.startModel(id, this.d.clock.now());
    try {
      const rows = await this.d.store.interactions();
      const out = await this.d.train({
        // Playtime in hours; a game wished for but not owned counts like one owned and not played. A game the player
        // reviewed as not recommended is no evidence of their taste, however long they played it (R9: the verdict
        // outweighs the hours); serving still never offers it back, as they own it.
        interactions: rows
          .filter((r) => r.recommended !== false)
          .map((r) => ({ user: r.user_id, game: r.game_id, hours: r.play_seconds / 3600 })),
        listLength: LIST_LENGTH,
        similarLength: SIMILAR_LENGTH,
      });
      await this.d.store.saveModel(id, out, this.d.clock.now());
      this.d.log.info(
        { model: id, users: out.users, games: out.games, trainMs: out.trainMs, metrics: out.metrics },
        'recommendation model trained',
      );
      return id;
    } catch (err) {
      await this.d.store.failModel(id, err instanceof Error ? err.message : String(err), this.d.clock.now());
      throw err;
    }
  }

  /** The catalogue's popularity order, read at most once a minute (it changes with imports and sales, not per request). */
  private popular(): Promise<{ id: string; genres: string[] }[]> {
    const now = Date.now();
    if (!this.popularCache || now - this.popularCache.at > 60_000) {
      const ids = this.d.popular();
      this.popularCache = { at: now, ids };
      ids.catch(() => (this.popularCache = undefined));
    }
    return this.popularCache.ids;
  }

  /**
   * The discovery queue (Steam's): up to 12 recommended games the player has not stepped past this week, one at a
   * time in the UI; "not interested" keeps a game out of every recommendation for good.
   */
  queue(userId: string, shopper: Shopper): Promise<Recommendation[]> {
    return this.forUser(userId, shopper, 12, { queue: true });
  }

  async markInQueue(userId: string, gameId: string, mark: 'seen' | 'not_interested'): Promise<void> {
    if (!(await this.d.published(gameId))) {
      throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    }
    await this.d.store.mark(userId, gameId, mark, this.d.clock.now());
  }

  /** The genres a player picked (cold start: sign-up or the home page). */
  genrePicks(userId: string): Promise<string[]> {
    return this.d.store.genrePicks(userId);
  }

  async pickGenres(userId: string, genres: string[]): Promise<string[]> {
    const known = new Set(await this.d.genres());
    const unknown = genres.filter((g) => !known.has(g));
    if (unknown.length) {
      throw recommendationError(400, 'unknown_genre', { genres: unknown.map((g) => `"${g}"`).join(', ') });
    }
    const unique = [...new Set(genres)];
    await this.d.store.setGenrePicks(userId, unique, this.d.clock.now());
    return unique;
  }

  models() {
    return this.d.store.models(20);
  }

  /**
   * Up to `limit` games for a user (or a visitor: `userId` undefined), each with its reason. Never a game the user
   * owns or has on their wishlist, never one that cannot be bought in the shopper's country (R12).
   */
  async forUser(userId: string | undefined, shopper: Shopper, limit: number, opts: { queue?: boolean } = {}): Promise<Recommendation[]> {
    // Everything that depends only on who is asking, read side by side (one round trip's latency, not five).
    const [signals, list, friends, genrePicks, sellers, marks, owned] = await Promise.all([
      userId ? this.d.store.signalsOf(userId) : [],
      userId ? this.d.store.list(userId) : undefined,
      userId ? this.d.friendsOf(userId).then((ids) => this.d.store.amongFriends(ids, 100)) : [],
      userId ? this.d.store.genrePicks(userId) : [],
      this.d.store.topSellers(shopper.country, limit * 2),
      userId ? this.d.store.marked(userId, new Date(this.d.clock.now().getTime() - QUEUE_SEEN_MS)) : undefined,
      userId && this.d.owned ? this.d.owned(userId) : [],
    ]);
    const bySignal = new Map(signals.map((s) => [s.game_id, s]));
    const excluded = new Set([...signals.filter((s) => s.owned || s.wishlisted).map((s) => s.game_id), ...owned]);
    for (const g of marks?.notInterested ?? []) excluded.add(g);
    if (opts.queue) for (const g of marks?.seen ?? []) excluded.add(g);
    const scored = new Map<string, { score: number; because?: string; fresh?: boolean }>();
    for (const item of list?.items ?? []) scored.set(item.gameId, { score: item.score, because: item.because });
    // Signals since the list was trained: their games' neighbours join the ranking at once.
    const fresh = signals
      .filter((s) => (!list || s.updated_at > list.trainedAt) && (s.owned || s.wishlisted || s.play_seconds > 0))
      .slice(0, 20);
    const neighbours = await this.d.store.similar(fresh.map((s) => s.game_id));
    for (const s of fresh) {
      for (const n of neighbours.get(s.game_id) ?? []) {
        const now = scored.get(n.gameId) ?? { score: 0 };
        const boost = FRESH_WEIGHT * n.score;
        scored.set(n.gameId, { score: now.score + boost, because: boost >= now.score ? s.game_id : now.because, fresh: true });
      }
    }
    // Social signal: what the user's friends own and play.
    const friendCount = new Map(friends.map((f) => [f.gameId, f.friends]));
    for (const f of friends) {
      const now = scored.get(f.gameId) ?? { score: 0 };
      scored.set(f.gameId, { ...now, score: now.score + FRIEND_WEIGHT * Math.log2(1 + f.friends) });
    }
    // Social networks: games people are talking about (positively) get a lift.
    const trends = this.d.trends ? await this.d.trends() : [];
    const topTrend = trends[0]?.trend ?? 0;
    const mentions = new Map(trends.map((x) => [x.gameId, x.mentions]));
    if (topTrend > 0) {
      for (const x of trends) {
        const now = scored.get(x.gameId);
        if (now) scored.set(x.gameId, { ...now, score: now.score + (SOCIAL_WEIGHT * x.trend) / topTrend });
      }
    }
    const personal = [...scored].filter(([g]) => !excluded.has(g)).sort((a, b) => b[1].score - a[1].score || (a[0] < b[0] ? -1 : 1));
    const picks: { gameId: string; because?: string; popularIn?: string; friends?: number; genre?: string; trending?: number }[] =
      personal.map(([gameId, s]) => ({
        gameId,
        because: s.because,
        friends: friendCount.get(gameId),
        trending: s.because || friendCount.has(gameId) ? undefined : mentions.get(gameId),
      }));
    // Cold start and filling: popular games of the genres the player picked, what sells in the shopper's country, then
    // what is popular everywhere.
    const taken = new Set([...excluded, ...picks.map((p) => p.gameId)]);
    const liked = new Set(genrePicks);
    if (liked.size) {
      for (const g of await this.popular()) {
        if (picks.length >= limit * 2) break;
        const genre = g.genres.find((x) => liked.has(x));
        if (!genre || taken.has(g.id)) continue;
        picks.push({ gameId: g.id, genre });
        taken.add(g.id);
      }
    }
    for (const x of trends) {
      if (picks.length >= limit * 2) break;
      if (taken.has(x.gameId) || x.trend <= 0) continue;
      picks.push({ gameId: x.gameId, trending: x.mentions });
      taken.add(x.gameId);
    }
    for (const g of sellers) {
      if (taken.has(g)) continue;
      picks.push({ gameId: g, popularIn: shopper.country });
      taken.add(g);
    }
    for (const { id } of await this.popular()) {
      if (picks.length >= limit * 4) break;
      if (taken.has(id)) continue;
      picks.push({ gameId: id });
      taken.add(id);
    }
    const candidates = picks.slice(0, limit * 4);
    const becauseIds = [...new Set(candidates.flatMap((p) => (p.because ? [p.because] : [])))];
    const [cards, becauseCards] = await Promise.all([
      this.d.cards(
        candidates.map((p) => p.gameId),
        shopper,
      ),
      this.d.cards(becauseIds, shopper),
    ]);
    const cardOf = new Map(cards.map((c) => [c.id, c]));
    const titleOf = new Map(becauseCards.map((c) => [c.id, c.title]));
    const out: Recommendation[] = [];
    for (const p of candidates) {
      const game = cardOf.get(p.gameId);
      if (!game || !game.availability.purchasable) continue;
      out.push({ game, reason: this.reason(p, bySignal.get(p.because ?? ''), titleOf) });
      if (out.length >= limit) break;
    }
    return out;
  }

  private reason(
    p: { because?: string; popularIn?: string; friends?: number; genre?: string; trending?: number },
    signal: { wishlisted: boolean; play_seconds: number } | undefined,
    titles: Map<string, string>,
  ): Reason {
    const title = p.because ? titles.get(p.because) : undefined;
    // Several friends are the stronger argument; one friend only when nothing of the player's own explains it.
    if (p.friends && (p.friends >= 2 || !title)) return { kind: 'friends_play', friends: p.friends };
    if (p.because && title) {
      const kind = signal?.play_seconds ? 'because_played' : signal?.wishlisted ? 'because_wishlisted' : 'because_owned';
      return { kind, gameId: p.because, title };
    }
    if (p.genre) return { kind: 'liked_genre', genre: p.genre };
    if (p.trending) return { kind: 'trending_social', mentions: p.trending };
    if (p.popularIn) return { kind: 'popular_in_country', country: p.popularIn };
    return { kind: 'popular' };
  }

  /** "More like this" for a game page: its neighbours that the shopper can buy. */
  async similar(gameId: string, userId: string | undefined, shopper: Shopper, limit: number): Promise<GameCard[]> {
    const items: ListedItem[] = (await this.d.store.similar([gameId])).get(gameId) ?? [];
    const excluded = new Set(
      userId
        ? [
            ...(await this.d.store.signalsOf(userId)).filter((s) => s.owned).map((s) => s.game_id),
            ...(this.d.owned ? await this.d.owned(userId) : []),
          ]
        : [],
    );
    const cards = await this.d.cards(
      items.filter((i) => !excluded.has(i.gameId)).map((i) => i.gameId),
      shopper,
    );
    return cards.filter((c) => c.availability.purchasable).slice(0, limit);
  }
}
