import { sql, type ColumnType, type Kysely } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';

/** A precomputed entry: a game, its score and the owned game that led to it. */
export interface ListedItem {
  gameId: string;
  score: number;
  because?: string;
}

export interface RecommendationTables {
  rec_signals: {
    user_id: string;
    game_id: string;
    owned: boolean;
    wishlisted: boolean;
    play_seconds: string | number;
    updated_at: Date;
    recommended: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  };
  rec_country_sales: { country: string; game_id: string; sales: number };
  rec_genre_picks: { user_id: string; genres: string[]; updated_at: Date };
  rec_queue_marks: { user_id: string; game_id: string; mark: 'seen' | 'not_interested'; at: Date };
  rec_models: {
    id: string;
    status: 'running' | 'done' | 'failed';
    started_at: Date;
    finished_at: Date | null;
    users: number | null;
    games: number | null;
    interactions: number | null;
    train_ms: number | null;
    metrics: unknown;
    error: string | null;
  };
  rec_lists: { user_id: string; model_id: string; trained_at: Date; items: unknown };
  rec_similar: { game_id: string; model_id: string; items: unknown };
}

export type SignalPatch = { owned?: boolean; wishlisted?: boolean; addSeconds?: number; recommended?: boolean | null };

export class RecommendationStore {
  constructor(private readonly db: Kysely<RecommendationTables>) {}

  /** Applies one signal in the consumer's transaction. */
  async signal(tx: Tx, userId: string, gameId: string, patch: SignalPatch, at: Date): Promise<void> {
    await tablesOf<RecommendationTables>(tx)
      .insertInto('rec_signals')
      .values({
        user_id: userId,
        game_id: gameId,
        owned: patch.owned ?? false,
        wishlisted: patch.wishlisted ?? false,
        play_seconds: patch.addSeconds ?? 0,
        updated_at: at,
        recommended: patch.recommended ?? null,
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'game_id']).doUpdateSet((eb) => ({
          owned: patch.owned ?? eb.ref('rec_signals.owned'),
          wishlisted: patch.wishlisted ?? eb.ref('rec_signals.wishlisted'),
          play_seconds: sql`rec_signals.play_seconds + ${patch.addSeconds ?? 0}`,
          recommended: patch.recommended === undefined ? eb.ref('rec_signals.recommended') : patch.recommended,
          updated_at: sql`greatest(rec_signals.updated_at, ${at})`,
        })),
      )
      .execute();
  }

  async sale(tx: Tx, country: string, gameId: string): Promise<void> {
    await tablesOf<RecommendationTables>(tx)
      .insertInto('rec_country_sales')
      .values({ country, game_id: gameId, sales: 1 })
      .onConflict((oc) => oc.columns(['country', 'game_id']).doUpdateSet({ sales: sql`rec_country_sales.sales + 1` }))
      .execute();
  }

  /** Every interaction the model trains on: owned, wished for or played. */
  async interactions(): Promise<
    { user_id: string; game_id: string; owned: boolean; wishlisted: boolean; play_seconds: number; recommended: boolean | null }[]
  > {
    const rows = await this.db
      .selectFrom('rec_signals')
      .select(['user_id', 'game_id', 'owned', 'wishlisted', 'play_seconds', 'recommended'])
      .where((eb) => eb.or([eb('owned', '=', true), eb('wishlisted', '=', true), eb('play_seconds', '>', 0)]))
      .execute();
    return rows.map((r) => ({ ...r, play_seconds: Number(r.play_seconds) }));
  }

  /** One user's signals, most recent first. */
  async signalsOf(userId: string) {
    const rows = await this.db
      .selectFrom('rec_signals')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('updated_at', 'desc')
      .limit(1000)
      .execute();
    return rows.map((r) => ({ ...r, play_seconds: Number(r.play_seconds) }));
  }

  /** Per game: how many of these users own or play it (the social signal), most first. */
  async amongFriends(userIds: readonly string[], limit: number): Promise<{ gameId: string; friends: number }[]> {
    if (!userIds.length) return [];
    const rows = await this.db
      .selectFrom('rec_signals')
      .select(['game_id', (eb) => eb.fn.count<string>('user_id').distinct().as('n')])
      .where('user_id', 'in', userIds)
      .where((eb) => eb.or([eb('owned', '=', true), eb('play_seconds', '>', 0)]))
      .groupBy('game_id')
      .orderBy('n', 'desc')
      .orderBy('game_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ gameId: r.game_id, friends: Number(r.n) }));
  }

  /** Marks a game in the player's discovery queue; "not interested" is never downgraded to "seen". */
  async mark(userId: string, gameId: string, mark: 'seen' | 'not_interested', now: Date): Promise<void> {
    await this.db
      .insertInto('rec_queue_marks')
      .values({ user_id: userId, game_id: gameId, mark, at: now })
      .onConflict((oc) =>
        oc.columns(['user_id', 'game_id']).doUpdateSet({
          mark: sql`case when rec_queue_marks.mark = 'not_interested' then rec_queue_marks.mark else excluded.mark end`,
          at: now,
        }),
      )
      .execute();
  }

  /** Games to leave out for this player: not interested ever, seen in the queue since `seenSince`. */
  async marked(userId: string, seenSince: Date): Promise<{ notInterested: Set<string>; seen: Set<string> }> {
    const rows = await this.db.selectFrom('rec_queue_marks').select(['game_id', 'mark', 'at']).where('user_id', '=', userId).execute();
    return {
      notInterested: new Set(rows.filter((r) => r.mark === 'not_interested').map((r) => r.game_id)),
      seen: new Set(rows.filter((r) => r.mark === 'seen' && r.at >= seenSince).map((r) => r.game_id)),
    };
  }

  async genrePicks(userId: string): Promise<string[]> {
    return (await this.db.selectFrom('rec_genre_picks').select('genres').where('user_id', '=', userId).executeTakeFirst())?.genres ?? [];
  }

  async setGenrePicks(userId: string, genres: string[], now: Date): Promise<void> {
    await this.db
      .insertInto('rec_genre_picks')
      .values({ user_id: userId, genres, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ genres, updated_at: now }))
      .execute();
  }

  async topSellers(country: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('rec_country_sales')
      .select('game_id')
      .where('country', '=', country)
      .orderBy('sales', 'desc')
      .orderBy('game_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.game_id);
  }

  async list(userId: string): Promise<{ trainedAt: Date; items: ListedItem[] } | undefined> {
    const r = await this.db.selectFrom('rec_lists').select(['trained_at', 'items']).where('user_id', '=', userId).executeTakeFirst();
    return r && { trainedAt: r.trained_at, items: r.items as ListedItem[] };
  }

  async similar(gameIds: readonly string[]): Promise<Map<string, ListedItem[]>> {
    if (!gameIds.length) return new Map();
    const rows = await this.db.selectFrom('rec_similar').select(['game_id', 'items']).where('game_id', 'in', gameIds).execute();
    return new Map(rows.map((r) => [r.game_id, r.items as ListedItem[]]));
  }

  async startModel(id: string, now: Date): Promise<void> {
    await this.db
      .insertInto('rec_models')
      .values({
        id,
        status: 'running',
        started_at: now,
        finished_at: null,
        users: null,
        games: null,
        interactions: null,
        train_ms: null,
        metrics: null,
        error: null,
      })
      .execute();
  }

  async failModel(id: string, error: string, now: Date): Promise<void> {
    await this.db.updateTable('rec_models').set({ status: 'failed', error, finished_at: now }).where('id', '=', id).execute();
  }

  /** Stores a trained model's lists and marks it done, in one transaction: readers see the old lists or the new ones. */
  async saveModel(
    id: string,
    result: {
      lists: [string, ListedItem[]][];
      similar: [string, ListedItem[]][];
      users: number;
      games: number;
      interactions: number;
      trainMs: number;
      metrics: unknown;
    },
    now: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < result.lists.length; i += 500) {
        const chunk = result.lists.slice(i, i + 500);
        await trx
          .insertInto('rec_lists')
          .values(chunk.map(([user, items]) => ({ user_id: user, model_id: id, trained_at: now, items: JSON.stringify(items) })))
          .onConflict((oc) =>
            oc.column('user_id').doUpdateSet((eb) => ({
              model_id: eb.ref('excluded.model_id'),
              trained_at: eb.ref('excluded.trained_at'),
              items: eb.ref('excluded.items'),
            })),
          )
          .execute();
      }
      for (let i = 0; i < result.similar.length; i += 500) {
        const chunk = result.similar.slice(i, i + 500);
        await trx
          .insertInto('rec_similar')
          .values(chunk.map(([game, items]) => ({ game_id: game, model_id: id, items: JSON.stringify(items) })))
          .onConflict((oc) =>
            oc.column('game_id').doUpdateSet((eb) => ({ model_id: eb.ref('excluded.model_id'), items: eb.ref('excluded.items') })),
          )
          .execute();
      }
      await trx
        .updateTable('rec_models')
        .set({
          status: 'done',
          finished_at: now,
          users: result.users,
          games: result.games,
          interactions: result.interactions,
          train_ms: result.trainMs,
          metrics: JSON.stringify(result.metrics),
        })
        .where('id', '=', id)
        .execute();
    });
  }

  models(limit: number) {
    return this.db.selectFrom('rec_models').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
  }
}
