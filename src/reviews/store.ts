import { sql, type Kysely } from 'kysely';
import { asTx } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import './events.ts';

export interface ReviewTables {
  reviews: {
    id: string;
    user_id: string;
    game_id: string;
    recommended: boolean;
    body: string;
    language: string;
    playtime_minutes: number;
    helpful: number;
    unhelpful: number;
    funny: number;
    created_at: Date;
    updated_at: Date;
  };
  review_votes: { review_id: string; user_id: string; helpful: boolean | null; funny: boolean };
}

export type ReviewRow = ReviewTables['reviews'];

export class ReviewStore {
  constructor(private readonly db: Kysely<ReviewTables>) {}

  /** Writes (or rewrites) a user's review of a game and announces it, in one transaction. */
  upsert(r: Omit<ReviewRow, 'helpful' | 'unhelpful' | 'funny' | 'updated_at'>, now: Date): Promise<ReviewRow> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('reviews')
        .values({ ...r, helpful: 0, unhelpful: 0, funny: 0, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['user_id', 'game_id']).doUpdateSet({
            recommended: r.recommended,
            body: r.body,
            language: r.language,
            playtime_minutes: r.playtime_minutes,
            updated_at: now,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      await publish(
        asTx(trx),
        'review.posted',
        { reviewId: row.id, userId: row.user_id, gameId: row.game_id, recommended: row.recommended },
        now,
      );
      return row;
    });
  }

  remove(userId: string, gameId: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx
        .deleteFrom('reviews')
        .where('user_id', '=', userId)
        .where('game_id', '=', gameId)
        .returning('id')
        .executeTakeFirst();
      if (gone) await publish(asTx(trx), 'review.removed', { reviewId: gone.id, userId, gameId }, now);
      return gone !== undefined;
    });
  }

  byId(id: string) {
    return this.db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
  }

  mine(userId: string, gameId: string) {
    return this.db.selectFrom('reviews').selectAll().where('user_id', '=', userId).where('game_id', '=', gameId).executeTakeFirst();
  }

  /** A page of a game's reviews: most helpful (Wilson-free simple score: helpful − unhelpful, then newest) or newest. */
  page(gameId: string, sort: 'helpful' | 'recent', limit: number, offset: number) {
    let q = this.db.selectFrom('reviews').selectAll().where('game_id', '=', gameId);
    q = sort === 'helpful' ? q.orderBy(sql`helpful - unhelpful`, 'desc').orderBy('created_at', 'desc') : q.orderBy('created_at', 'desc');
    return q.orderBy('id').limit(limit).offset(offset).execute();
  }

  async counts(gameId: string): Promise<{ total: number; positive: number }> {
    const r = await this.db
      .selectFrom('reviews')
      .select([(eb) => eb.fn.countAll<string>().as('total'), sql<string>`count(*) filter (where recommended)`.as('positive')])
      .where('game_id', '=', gameId)
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), positive: Number(r.positive) };
  }

  /** The voter's votes on some reviews. */
  votesOf(userId: string, reviewIds: string[]) {
    if (!reviewIds.length) return Promise.resolve([]);
    return this.db.selectFrom('review_votes').selectAll().where('user_id', '=', userId).where('review_id', 'in', reviewIds).execute();
  }

  /**
   * Sets a voter's vote and keeps the review's counters equal to its votes (D4): the review row is locked first, so
   * votes on one review take turns, and the counters move by the difference in the same transaction.
   */
  vote(reviewId: string, userId: string, vote: { helpful: boolean | null; funny: boolean }): Promise<ReviewRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('reviews').select('id').where('id', '=', reviewId).forUpdate().executeTakeFirst())) return undefined;
      const before = await trx
        .selectFrom('review_votes')
        .selectAll()
        .where('review_id', '=', reviewId)
        .where('user_id', '=', userId)
        .forUpdate()
        .executeTakeFirst();
      await trx
        .insertInto('review_votes')
        .values({ review_id: reviewId, user_id: userId, ...vote })
        .onConflict((oc) => oc.columns(['review_id', 'user_id']).doUpdateSet(vote))
        .execute();
      const d = (now: boolean, was: boolean) => Number(now) - Number(was);
      return trx
        .updateTable('reviews')
        .set({
          helpful: sql`helpful + ${d(vote.helpful === true, before?.helpful === true)}`,
          unhelpful: sql`unhelpful + ${d(vote.helpful === false, before?.helpful === false)}`,
          funny: sql`funny + ${d(vote.funny, before?.funny ?? false)}`,
        })
        .where('id', '=', reviewId)
        .returningAll()
        .executeTakeFirst();
    });
  }
}
