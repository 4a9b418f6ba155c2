import type { Kysely } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';

export interface FriendshipsTable {
  user_low: string;
  user_high: string;
  requested_by: string;
  status: 'pending' | 'accepted';
  created_at: Date;
  updated_at: Date;
}
export interface FriendTables {
  friendships: FriendshipsTable;
  blocks: { blocker: string; blocked: string; created_at: Date };
}

/** One friendship row per pair of users, the lower id first. */
export const pair = (a: string, b: string) => (a < b ? { user_low: a, user_high: b } : { user_low: b, user_high: a });

/** All SQL of friendships and blocks. */
export class FriendStore {
  constructor(readonly db: Kysely<FriendTables>) {}

  between(a: string, b: string) {
    const p = pair(a, b);
    return this.db
      .selectFrom('friendships')
      .selectAll()
      .where('user_low', '=', p.user_low)
      .where('user_high', '=', p.user_high)
      .executeTakeFirst();
  }

  /** Every friendship and request of `me`, with the other person's id. */
  async of(me: string): Promise<{ other: string; status: 'pending' | 'accepted'; requested_by: string }[]> {
    const rows = await this.db
      .selectFrom('friendships')
      .select(['user_low', 'user_high', 'status', 'requested_by'])
      .where((eb) => eb.or([eb('user_low', '=', me), eb('user_high', '=', me)]))
      .execute();
    return rows.map((r) => ({ other: r.user_low === me ? r.user_high : r.user_low, status: r.status, requested_by: r.requested_by }));
  }

  /** A new request; false when one between the two exists already. */
  async insertRequest(tx: Tx, from: string, to: string, now: Date): Promise<boolean> {
    const inserted = await tablesOf<FriendTables>(tx)
      .insertInto('friendships')
      .values({ ...pair(from, to), requested_by: from, status: 'pending', created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['user_low', 'user_high']).doNothing())
      .returning('status')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Accepts `from`'s pending request to `me`; false when there is none. */
  async accept(tx: Tx, me: string, from: string, now: Date): Promise<boolean> {
    const p = pair(me, from);
    const r = await tablesOf<FriendTables>(tx)
      .updateTable('friendships')
      .set({ status: 'accepted', updated_at: now })
      .where('user_low', '=', p.user_low)
      .where('user_high', '=', p.user_high)
      .where('status', '=', 'pending')
      .where('requested_by', '=', from)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async declineRequest(me: string, from: string): Promise<boolean> {
    const p = pair(me, from);
    const r = await this.db
      .deleteFrom('friendships')
      .where('user_low', '=', p.user_low)
      .where('user_high', '=', p.user_high)
      .where('status', '=', 'pending')
      .where('requested_by', '=', from)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Ends a friendship, or withdraws `me`'s own pending request. */
  async remove(me: string, other: string): Promise<boolean> {
    const p = pair(me, other);
    const r = await this.db
      .deleteFrom('friendships')
      .where('user_low', '=', p.user_low)
      .where('user_high', '=', p.user_high)
      .where((eb) => eb.or([eb('status', '=', 'accepted'), eb('requested_by', '=', me)]))
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Blocks `other`: the block and the end of any friendship between them, in one transaction. */
  async block(me: string, other: string, now: Date): Promise<void> {
    const p = pair(me, other);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('blocks')
        .values({ blocker: me, blocked: other, created_at: now })
        .onConflict((oc) => oc.columns(['blocker', 'blocked']).doNothing())
        .execute();
      await trx.deleteFrom('friendships').where('user_low', '=', p.user_low).where('user_high', '=', p.user_high).execute();
    });
  }

  async unblock(me: string, other: string): Promise<void> {
    await this.db.deleteFrom('blocks').where('blocker', '=', me).where('blocked', '=', other).execute();
  }

  async blockedEitherWay(a: string, b: string): Promise<boolean> {
    return Boolean(
      await this.db
        .selectFrom('blocks')
        .select('blocker')
        .where((eb) =>
          eb.or([eb.and([eb('blocker', '=', a), eb('blocked', '=', b)]), eb.and([eb('blocker', '=', b), eb('blocked', '=', a)])]),
        )
        .executeTakeFirst(),
    );
  }

  /** Of `ids`, those who blocked `me`. */
  async blockersOf(me: string, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db.selectFrom('blocks').select('blocker').where('blocked', '=', me).where('blocker', 'in', ids).execute();
    return new Set(rows.map((r) => r.blocker));
  }
}
