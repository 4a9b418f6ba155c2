import { sql, type Kysely } from 'kysely';
import type { Clock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import type { NotificationService } from '../notifications/service.ts';
import { asTx } from '../platform/db/tx.ts';

export interface FriendTables {
  friendships: { user_low: string; user_high: string; requested_by: string; status: 'pending' | 'accepted'; created_at: Date; updated_at: Date };
  blocks: { blocker: string; blocked: string; created_at: Date };
  user: { id: string; name: string; email: string };
}

export interface Person {
  id: string;
  name: string;
}

export interface FriendsView {
  friends: Person[];
  incoming: Person[];
  outgoing: Person[];
}

const pair = (a: string, b: string) => (a < b ? { user_low: a, user_high: b } : { user_low: b, user_high: a });

/**
 * Friends (S2.4, S2.6): a friendship needs the other user's approval; the person asked gets a mail and an
 * in-app notification; either side can remove it; a blocked user cannot ask again (nor see the blocker).
 */
export class FriendService {
  constructor(
    private readonly db: Kysely<FriendTables>,
    private readonly notifications: NotificationService,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /** Users by the start of their name or by their exact email; never the searcher, nobody who blocked them. */
  async search(me: string, q: string): Promise<Person[]> {
    const term = q.trim();
    if (term.length < 2) throw new AppError(400, 'query_too_short', 'Type at least two characters of a name, or a full email address.');
    const rows = await this.db
      .selectFrom('user')
      .select(['id', 'name'])
      .where('id', '!=', me)
      .where((eb) => eb.or([eb(sql`lower(name)`, 'like', `${term.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`), eb('email', '=', term.toLowerCase())]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('blocks').select('blocker').where('blocker', '=', eb.ref('user.id')).where('blocked', '=', me))))
      .orderBy('name')
      .limit(20)
      .execute();
    return rows;
  }

  private async person(id: string): Promise<Person & { email: string }> {
    const u = await this.db.selectFrom('user').select(['id', 'name', 'email']).where('id', '=', id).executeTakeFirst();
    if (!u) throw new AppError(404, 'user_not_found', 'This user does not exist.');
    return u;
  }

  private async blockedEitherWay(a: string, b: string): Promise<boolean> {
    return Boolean(await this.db.selectFrom('blocks').select('blocker').where((eb) => eb.or([eb.and([eb('blocker', '=', a), eb('blocked', '=', b)]), eb.and([eb('blocker', '=', b), eb('blocked', '=', a)])])).executeTakeFirst());
  }

  /** Asks `to` to be friends. If `to` had already asked `me`, this accepts instead. */
  async request(me: string, to: string): Promise<'requested' | 'accepted'> {
    if (me === to) throw new AppError(400, 'cannot_befriend_self', 'You cannot send a friend request to yourself.');
    const [requester, target] = await Promise.all([this.person(me), this.person(to)]);
    if (await this.blockedEitherWay(me, to)) throw new AppError(403, 'blocked', 'You cannot send a friend request to this user.');
    const existing = await this.db.selectFrom('friendships').selectAll().where('user_low', '=', pair(me, to).user_low).where('user_high', '=', pair(me, to).user_high).executeTakeFirst();
    if (existing?.status === 'accepted') throw new AppError(409, 'already_friends', `You and ${target.name} are already friends.`);
    if (existing && existing.requested_by === me) throw new AppError(409, 'request_pending', `You already asked ${target.name}; they have not answered yet.`);
    if (existing) {
      await this.accept(me, to);
      return 'accepted';
    }
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('friendships').values({ ...pair(me, to), requested_by: me, status: 'pending', created_at: now, updated_at: now }).onConflict((oc) => oc.columns(['user_low', 'user_high']).doNothing()).returning('status').executeTakeFirst();
      if (!inserted) throw new AppError(409, 'request_pending', 'A friend request between you two is already pending.');
      await this.notifications.notify(to, 'friend_request', { from: { id: requester.id, name: requester.name } }, asTx(trx));
      await enqueueMail(asTx(trx), { to: target.email, dedupeKey: `friend-request:${me}:${to}:${now.getTime()}`, subject: `${requester.name} wants to be your friend`, text: `${requester.name} sent you a friend request on Game Store.\n\nAccept or decline it here: ${this.publicUrl}/friends\n` }, now);
    });
    return 'requested';
  }

  async accept(me: string, from: string): Promise<void> {
    const now = this.clock.now();
    const [accepter] = await Promise.all([this.person(me), this.person(from)]);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('friendships').set({ status: 'accepted', updated_at: now }).where('user_low', '=', pair(me, from).user_low).where('user_high', '=', pair(me, from).user_high).where('status', '=', 'pending').where('requested_by', '=', from).executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw new AppError(404, 'no_request', 'There is no pending friend request from this user.');
      await this.notifications.notify(from, 'friend_accepted', { by: { id: accepter.id, name: accepter.name } }, asTx(trx));
    });
  }

  async decline(me: string, from: string): Promise<void> {
    const r = await this.db.deleteFrom('friendships').where('user_low', '=', pair(me, from).user_low).where('user_high', '=', pair(me, from).user_high).where('status', '=', 'pending').where('requested_by', '=', from).executeTakeFirst();
    if (r.numDeletedRows === 0n) throw new AppError(404, 'no_request', 'There is no pending friend request from this user.');
  }

  /** Removes a friend, or withdraws one's own pending request. */
  async remove(me: string, other: string): Promise<void> {
    const r = await this.db.deleteFrom('friendships').where('user_low', '=', pair(me, other).user_low).where('user_high', '=', pair(me, other).user_high).where((eb) => eb.or([eb('status', '=', 'accepted'), eb('requested_by', '=', me)])).executeTakeFirst();
    if (r.numDeletedRows === 0n) throw new AppError(404, 'not_friends', 'This user is not on your friend list.');
  }

  /** Blocks a user: any friendship or request between you ends, and they cannot ask again. */
  async block(me: string, other: string): Promise<void> {
    if (me === other) throw new AppError(400, 'cannot_block_self', 'You cannot block yourself.');
    await this.person(other);
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('blocks').values({ blocker: me, blocked: other, created_at: this.clock.now() }).onConflict((oc) => oc.columns(['blocker', 'blocked']).doNothing()).execute();
      await trx.deleteFrom('friendships').where('user_low', '=', pair(me, other).user_low).where('user_high', '=', pair(me, other).user_high).execute();
    });
  }

  async unblock(me: string, other: string): Promise<void> {
    await this.db.deleteFrom('blocks').where('blocker', '=', me).where('blocked', '=', other).execute();
  }

  /** Whether the two users are friends (an approved friendship, S2.4). */
  async areFriends(a: string, b: string): Promise<boolean> {
    const p = pair(a, b);
    return Boolean(await this.db.selectFrom('friendships').select('status').where('user_low', '=', p.user_low).where('user_high', '=', p.user_high).where('status', '=', 'accepted').executeTakeFirst());
  }

  async list(me: string): Promise<FriendsView> {
    const rows = await sql<{ other: string; name: string; status: string; requested_by: string }>`
      select case when f.user_low = ${me} then f.user_high else f.user_low end as other, u.name, f.status, f.requested_by
      from friendships f join "user" u on u.id = case when f.user_low = ${me} then f.user_high else f.user_low end
      where f.user_low = ${me} or f.user_high = ${me}
      order by u.name`.execute(this.db);
    const person = (r: { other: string; name: string }) => ({ id: r.other, name: r.name });
    return {
      friends: rows.rows.filter((r) => r.status === 'accepted').map(person),
      incoming: rows.rows.filter((r) => r.status === 'pending' && r.requested_by !== me).map(person),
      outgoing: rows.rows.filter((r) => r.status === 'pending' && r.requested_by === me).map(person),
    };
  }
}
