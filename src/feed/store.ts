import type { Kysely, Selectable } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';

export type FeedKind = 'purchase' | 'gift' | 'review' | 'post';
export type Visibility = 'everyone' | 'friends' | 'private';

export interface FeedItemsTable {
  id: string;
  actor_id: string;
  kind: FeedKind;
  game_id: string;
  ref: string;
  detail: Record<string, unknown>;
  visibility: Visibility;
  occurred_at: Date;
}
export interface FeedTables {
  feed_items: FeedItemsTable;
}
export type FeedItemRow = Selectable<FeedItemsTable>;

/** The feed context's only table: feed_items. */
export class FeedStore {
  constructor(private readonly db: Kysely<FeedTables>) {}

  /** Adds an item once per (kind, ref): an event read twice after a crash adds nothing. */
  async add(tx: Tx, item: FeedItemsTable): Promise<void> {
    await tablesOf<FeedTables>(tx)
      .insertInto('feed_items')
      .values({ ...item, detail: JSON.stringify(item.detail) as never })
      .onConflict((oc) => oc.columns(['kind', 'ref']).doNothing())
      .execute();
  }

  /** Removes what was undone: a refunded purchase, a deleted review. */
  async remove(tx: Tx, kind: FeedKind, ref: string): Promise<void> {
    await tablesOf<FeedTables>(tx).deleteFrom('feed_items').where('kind', '=', kind).where('ref', '=', ref).execute();
  }

  /** Items of these people their friends may see, newest first. */
  ofFriends(actorIds: string[], limit: number): Promise<FeedItemRow[]> {
    if (!actorIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('feed_items')
      .selectAll()
      .where('actor_id', 'in', actorIds)
      .where('visibility', 'in', ['friends', 'everyone'])
      .orderBy('occurred_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  mine(actorId: string, limit: number): Promise<FeedItemRow[]> {
    return this.db
      .selectFrom('feed_items')
      .selectAll()
      .where('actor_id', '=', actorId)
      .orderBy('occurred_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  byId(id: string): Promise<FeedItemRow | undefined> {
    return this.db.selectFrom('feed_items').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Sets an item's visibility; false when the item is not this actor's. */
  async setVisibility(actorId: string, id: string, visibility: Visibility): Promise<boolean> {
    const r = await this.db
      .updateTable('feed_items')
      .set({ visibility })
      .where('id', '=', id)
      .where('actor_id', '=', actorId)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
