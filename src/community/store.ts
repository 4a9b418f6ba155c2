import { sql, type Kysely } from 'kysely';
import { asTx } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import './events.ts';

export interface CommunityTables {
  community_threads: {
    id: string;
    game_id: string;
    author_id: string;
    title: string;
    pinned: boolean;
    locked: boolean;
    posts: number;
    created_at: Date;
    last_post_at: Date;
  };
  community_posts: { id: string; thread_id: string; author_id: string; body: string; created_at: Date };
}

export type ThreadRow = CommunityTables['community_threads'];
export type PostRow = CommunityTables['community_posts'];

export class CommunityStore {
  constructor(private readonly db: Kysely<CommunityTables>) {}

  /** A new thread with its first post, announced on the event log, in one transaction. */
  async createThread(t: Omit<ThreadRow, 'pinned' | 'locked' | 'posts' | 'last_post_at'>, post: Omit<PostRow, 'thread_id'>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('community_threads')
        .values({ ...t, pinned: false, locked: false, posts: 1, last_post_at: t.created_at })
        .execute();
      await trx
        .insertInto('community_posts')
        .values({ ...post, thread_id: t.id })
        .execute();
      await publish(
        asTx(trx),
        'community.posted',
        { postId: post.id, threadId: t.id, gameId: t.game_id, userId: post.author_id },
        t.created_at,
      );
    });
  }

  /** A reply; refused (false) when the thread is locked — checked under the thread's row lock. */
  async reply(threadId: string, post: Omit<PostRow, 'thread_id'>): Promise<'ok' | 'locked' | 'missing'> {
    return this.db.transaction().execute(async (trx) => {
      const t = await trx.selectFrom('community_threads').selectAll().where('id', '=', threadId).forUpdate().executeTakeFirst();
      if (!t) return 'missing';
      if (t.locked) return 'locked';
      await trx
        .insertInto('community_posts')
        .values({ ...post, thread_id: threadId })
        .execute();
      await trx
        .updateTable('community_threads')
        .set({ posts: sql`posts + 1`, last_post_at: post.created_at })
        .where('id', '=', threadId)
        .execute();
      await publish(
        asTx(trx),
        'community.posted',
        { postId: post.id, threadId, gameId: t.game_id, userId: post.author_id },
        post.created_at,
      );
      return 'ok';
    });
  }

  threads(gameId: string, limit: number, offset: number) {
    return this.db
      .selectFrom('community_threads')
      .selectAll()
      .where('game_id', '=', gameId)
      .orderBy('pinned', 'desc')
      .orderBy('last_post_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
  }

  thread(id: string) {
    return this.db.selectFrom('community_threads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Posts oldest first, after a position (created_at, id) for paging. */
  posts(threadId: string, after: { at: Date; id: string } | undefined, limit: number) {
    let q = this.db.selectFrom('community_posts').selectAll().where('thread_id', '=', threadId);
    if (after)
      q = q.where((eb) => eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  async moderate(id: string, patch: { pinned?: boolean; locked?: boolean }): Promise<boolean> {
    const r = await this.db.updateTable('community_threads').set(patch).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
