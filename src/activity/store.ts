import { sql, type Kysely } from 'kysely';
import { asTx, type Tx } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import './events.ts';

export interface ActivityTables {
  wishlist: { user_id: string; game_id: string; added_at: Date };
  play_sessions: { id: string; user_id: string; game_id: string; started_at: Date; last_beat_at: Date; ended_at: Date | null };
}

export type SessionRow = ActivityTables['play_sessions'];

/** Seconds a session lasted: from its start to its last sign of life. */
export const sessionSeconds = (s: Pick<SessionRow, 'started_at' | 'last_beat_at'>) =>
  Math.max(0, Math.round((s.last_beat_at.getTime() - s.started_at.getTime()) / 1000));

export class ActivityStore {
  constructor(private readonly db: Kysely<ActivityTables>) {}

  /** Sessions still open with a heartbeat since `since`, newest first per user. */
  openSessions(userIds: string[], since: Date) {
    if (!userIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('play_sessions')
      .select(['user_id', 'game_id'])
      .distinctOn('user_id')
      .where('user_id', 'in', userIds)
      .where('ended_at', 'is', null)
      .where('last_beat_at', '>=', since)
      .orderBy('user_id')
      .orderBy('last_beat_at', 'desc')
      .execute();
  }

  private tx<T>(work: (db: Kysely<ActivityTables>, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(trx, asTx(trx)));
  }

  addToWishlist(userId: string, gameId: string, now: Date): Promise<boolean> {
    return this.tx(async (db, tx) => {
      const added = await db
        .insertInto('wishlist')
        .values({ user_id: userId, game_id: gameId, added_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'game_id']).doNothing())
        .returning('game_id')
        .executeTakeFirst();
      if (added) await publish(tx, 'wishlist.added', { userId, gameId }, now);
      return added !== undefined;
    });
  }

  removeFromWishlist(userId: string, gameId: string, now: Date): Promise<boolean> {
    return this.tx(async (db, tx) => {
      const r = await db.deleteFrom('wishlist').where('user_id', '=', userId).where('game_id', '=', gameId).executeTakeFirst();
      if (r.numDeletedRows > 0n) await publish(tx, 'wishlist.removed', { userId, gameId }, now);
      return r.numDeletedRows > 0n;
    });
  }

  wishlist(userId: string) {
    return this.db.selectFrom('wishlist').selectAll().where('user_id', '=', userId).orderBy('added_at', 'desc').limit(500).execute();
  }

  /** Games on several users' wishlists, with when they were added (for the wishlisters of a game, see `wishlisters`). */
  wishlisters(gameId: string) {
    return this.db.selectFrom('wishlist').select(['user_id', 'added_at']).where('game_id', '=', gameId).execute();
  }

  /**
   * Starts a session, or resumes the open one of this user and game. Sessions whose heartbeat stopped more than
   * `staleMs` ago are closed first (at their last heartbeat): a crashed launcher never counts hours it did not play.
   */
  start(userId: string, gameId: string, id: string, now: Date, staleMs: number): Promise<SessionRow> {
    return this.tx(async (db, tx) => {
      await this.closeStale(db, tx, userId, new Date(now.getTime() - staleMs), now);
      const open = await db
        .selectFrom('play_sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('game_id', '=', gameId)
        .where('ended_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (open) {
        return db
          .updateTable('play_sessions')
          .set({ last_beat_at: now })
          .where('id', '=', open.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      const row = await db
        .insertInto('play_sessions')
        .values({ id, user_id: userId, game_id: gameId, started_at: now, last_beat_at: now, ended_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await publish(tx, 'play.started', { userId, gameId, sessionId: id }, now);
      return row;
    });
  }

  private async closeStale(db: Kysely<ActivityTables>, tx: Tx, userId: string, before: Date, now: Date) {
    const closed = await db
      .updateTable('play_sessions')
      .set({ ended_at: sql<Date>`last_beat_at` })
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('last_beat_at', '<', before)
      .returningAll()
      .execute();
    for (const s of closed) {
      await publish(tx, 'play.ended', { userId, gameId: s.game_id, sessionId: s.id, seconds: sessionSeconds(s) }, now);
    }
  }

  session(id: string) {
    return this.db.selectFrom('play_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Extends an open session; undefined when it is not open (ended or unknown). */
  beat(id: string, userId: string, now: Date) {
    return this.db
      .updateTable('play_sessions')
      .set({ last_beat_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Ends an open session at `now`; undefined when it was not open. */
  stop(id: string, userId: string, now: Date): Promise<SessionRow | undefined> {
    return this.tx(async (db, tx) => {
      const s = await db
        .updateTable('play_sessions')
        .set({ last_beat_at: now, ended_at: now })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (s) await publish(tx, 'play.ended', { userId, gameId: s.game_id, sessionId: s.id, seconds: sessionSeconds(s) }, now);
      return s;
    });
  }

  async secondsPlayed(userId: string, gameId: string): Promise<number> {
    const r = await sql<{ seconds: string | null }>`
      select sum(extract(epoch from (last_beat_at - started_at)))::bigint as seconds
      from play_sessions where user_id = ${userId} and game_id = ${gameId}`.execute(this.db);
    return Number(r.rows[0]?.seconds ?? 0);
  }

  /** Per game the user played: total seconds and when they last played, most recent first. */
  async playtime(userId: string, limit: number) {
    const r = await sql<{ game_id: string; seconds: string; last_played_at: Date }>`
      select game_id, sum(extract(epoch from (last_beat_at - started_at)))::bigint as seconds, max(last_beat_at) as last_played_at
      from play_sessions where user_id = ${userId}
      group by game_id order by max(last_beat_at) desc limit ${limit}`.execute(this.db);
    return r.rows.map((x) => ({ gameId: x.game_id, seconds: Number(x.seconds), lastPlayedAt: x.last_played_at }));
  }
}
