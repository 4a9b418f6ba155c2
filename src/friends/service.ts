import type { Clock } from '../platform/clock.ts';
import { friendError } from './errors.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { Transactions } from '../platform/db/tx.ts';
import type { AccountService } from '../accounts/service.ts';
import type { FriendStore } from './store.ts';
import { friendRequestMail } from './mail.ts';

export interface Person {
  id: string;
  name: string;
}

export interface FriendsView {
  friends: Person[];
  incoming: Person[];
  outgoing: Person[];
}

/**
 * Friends (S2.4, S2.6): a friendship needs the other user's approval; the person asked gets a mail and an
 * in-app notification; either side can remove it; a blocked user cannot ask again (nor see the blocker).
 */
export class FriendService {
  constructor(
    private readonly store: FriendStore,
    private readonly accounts: Pick<AccountService, 'searchPeople' | 'people' | 'contacts'>,
    private readonly transactions: Transactions,
    private readonly notifications: NotificationService,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /** Users by the start of their name or by their exact email; never the searcher, nobody who blocked them. */
  async search(me: string, q: string): Promise<Person[]> {
    const term = q.trim();
    if (term.length < 2) throw friendError(400, 'query_too_short');
    const found = await this.accounts.searchPeople(term, me, 40);
    const blockers = await this.store.blockersOf(
      me,
      found.map((p) => p.id),
    );
    return found.filter((p) => !blockers.has(p.id)).slice(0, 20);
  }

  private async person(id: string): Promise<Person & { email: string }> {
    const [u] = await this.accounts.people([id]);
    if (!u) throw friendError(404, 'user_not_found');
    return u;
  }

  /** Asks `to` to be friends. If `to` had already asked `me`, this accepts instead. */
  async request(me: string, to: string): Promise<'requested' | 'accepted'> {
    if (me === to) throw friendError(400, 'cannot_befriend_self');
    const [requester, target] = await Promise.all([this.person(me), this.person(to)]);
    if (await this.store.blockedEitherWay(me, to)) throw friendError(403, 'blocked');
    const existing = await this.store.between(me, to);
    if (existing?.status === 'accepted') throw friendError(409, 'already_friends', { name: target.name });
    if (existing && existing.requested_by === me) throw friendError(409, 'request_pending.asked', { name: target.name });
    if (existing) {
      await this.accept(me, to);
      return 'accepted';
    }
    const now = this.clock.now();
    const language = (await this.accounts.contacts([to]))[0]?.language ?? 'en';
    await this.transactions.run(async (tx) => {
      if (!(await this.store.insertRequest(tx, me, to, now))) throw friendError(409, 'request_pending.between');
      await this.notifications.notify(to, 'friend_request', { from: { id: requester.id, name: requester.name } }, tx);
      await enqueueMail(
        tx,
        {
          to: target.email,
          dedupeKey: `friend-request:${me}:${to}:${now.getTime()}`,
          ...friendRequestMail(language, { requesterName: requester.name, link: `${this.publicUrl}/friends` }),
        },
        now,
      );
    });
    return 'requested';
  }

  async accept(me: string, from: string): Promise<void> {
    const now = this.clock.now();
    const [accepter] = await Promise.all([this.person(me), this.person(from)]);
    await this.transactions.run(async (tx) => {
      if (!(await this.store.accept(tx, me, from, now))) throw friendError(404, 'no_request');
      await this.notifications.notify(from, 'friend_accepted', { by: { id: accepter.id, name: accepter.name } }, tx);
    });
  }

  async decline(me: string, from: string): Promise<void> {
    if (!(await this.store.declineRequest(me, from))) throw friendError(404, 'no_request');
  }

  /** Removes a friend, or withdraws one's own pending request. */
  async remove(me: string, other: string): Promise<void> {
    if (!(await this.store.remove(me, other))) throw friendError(404, 'not_friends');
  }

  /** Blocks a user: any friendship or request between you ends, and they cannot ask again. */
  async block(me: string, other: string): Promise<void> {
    if (me === other) throw friendError(400, 'cannot_block_self');
    await this.person(other);
    await this.store.block(me, other, this.clock.now());
  }

  async unblock(me: string, other: string): Promise<void> {
    await this.store.unblock(me, other);
  }

  /** Whether either user blocked the other (chat, presence and requests honour it). */
  blockedEitherWay(a: string, b: string): Promise<boolean> {
    return this.store.blockedEitherWay(a, b);
  }

  /** Whether the two users are friends (an approved friendship, S2.4). */
  async areFriends(a: string, b: string): Promise<boolean> {
    return (await this.store.between(a, b))?.status === 'accepted';
  }

  /** The ids of a user's friends (accepted both ways). */
  async friendIds(me: string): Promise<string[]> {
    return (await this.store.of(me)).filter((r) => r.status === 'accepted').map((r) => r.other);
  }

  async list(me: string): Promise<FriendsView> {
    const rows = await this.store.of(me);
    const names = new Map((await this.accounts.people(rows.map((r) => r.other))).map((p) => [p.id, p.name]));
    const person = (r: { other: string }) => ({ id: r.other, name: names.get(r.other) ?? '' });
    const byName = (x: Person, y: Person) => x.name.localeCompare(y.name);
    return {
      friends: rows
        .filter((r) => r.status === 'accepted')
        .map(person)
        .sort(byName),
      incoming: rows
        .filter((r) => r.status === 'pending' && r.requested_by !== me)
        .map(person)
        .sort(byName),
      outgoing: rows
        .filter((r) => r.status === 'pending' && r.requested_by === me)
        .map(person)
        .sort(byName),
    };
  }
}
