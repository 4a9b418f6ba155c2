import { sql, type ColumnType, type Kysely, type Selectable, type Updateable } from 'kysely';
import { pickText } from '../platform/languages.ts';
import { tablesOf, type Tx } from '../platform/db/tx.ts';
import type { OrderTables } from '../orders/store.ts';
import { canMoveGift, PENDING, VISIBLE_TO_RECIPIENT, type GiftState } from './state.ts';

export interface GiftsTable {
  id: string;
  sender_id: string;
  recipient_id: string;
  game_id: string;
  game_title: string;
  /** The title per language when the gift was bought (empty for older gifts: `game_title` then). */
  game_titles: ColumnType<Record<string, string>, string | undefined, string>;
  message: string;
  state: GiftState;
  deliver_at: Date;
  delivered_at: Date | null;
  expires_at: Date | null;
  settled_at: Date | null;
  sender_country: string;
  recipient_country: string;
  recipient_time_zone: string;
  created_at: Date;
  updated_at: Date;
}

export interface GiftTables extends OrderTables {
  gifts: GiftsTable;
  user: { id: string; name: string; email: string };
  account_profiles: { user_id: string; country: string; time_zone: string; language: string };
}

export type GiftRow = Selectable<GiftsTable>;
/** A gift with the order that paid for it and both people's names. */
export type GiftWithOrder = GiftRow & {
  sender_name: string;
  recipient_name: string;
  order_status: string;
  currency: string;
  price_minor: number;
  paid_minor: number;
  points_used: number;
  refunded_minor: number | null;
  payment_method: string;
  approval_url: string | null;
  failure_code: string | null;
  failure_message: string | null;
};

export interface GiftReportFilter {
  from?: string;
  to?: string;
  state?: GiftState;
  gameId?: string;
  /** Part of the game's title in any language it was bought with. */
  game?: string;
  senderCountry?: string;
  recipientCountry?: string;
  /** Gifts paid partly with points, or without any. */
  points?: 'used' | 'none';
}

export class GiftStore {
  constructor(readonly db: Kysely<GiftTables>) {}

  private withOrder(db: Kysely<GiftTables> = this.db) {
    return db
      .selectFrom('gifts as g')
      .innerJoin('orders as o', 'o.id', 'g.id')
      .innerJoin('user as s', 's.id', 'g.sender_id')
      .innerJoin('user as r', 'r.id', 'g.recipient_id')
      .selectAll('g')
      .select([
        's.name as sender_name',
        'r.name as recipient_name',
        'o.status as order_status',
        'o.currency',
        'o.price_minor',
        'o.paid_minor',
        'o.points_used',
        'o.refunded_minor',
        'o.payment_method',
        'o.approval_url',
        'o.failure_code',
        'o.failure_message',
      ]);
  }

  byId(id: string): Promise<GiftWithOrder | undefined> {
    return this.withOrder().where('g.id', '=', id).executeTakeFirst();
  }

  /** Locks the gift row for a state change inside `tx`. */
  lock(tx: Tx, id: string): Promise<GiftRow | undefined> {
    return tablesOf<GiftTables>(tx).selectFrom('gifts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Inserts the gift (after its order, same transaction); false when the recipient already has this game on its way. */
  async insert(tx: Tx, g: Omit<GiftRow, 'state' | 'delivered_at' | 'expires_at' | 'settled_at' | 'updated_at'>): Promise<boolean> {
    const db = tablesOf<GiftTables>(tx);
    // No conflict target: a clash on the id (a re-run) or on gifts_one_pending inserts nothing and is an answer.
    const inserted = await db
      .insertInto('gifts')
      .values({
        ...g,
        game_titles: JSON.stringify(g.game_titles),
        state: 'paying',
        delivered_at: null,
        expires_at: null,
        settled_at: null,
        updated_at: g.created_at,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined || (await db.selectFrom('gifts').select('id').where('id', '=', g.id).executeTakeFirst()) !== undefined;
  }

  /** A gift refused before it was placed: kept as payment_failed (its order is cancelled with the reason). */
  async insertRefused(tx: Tx, g: Omit<GiftRow, 'state' | 'delivered_at' | 'expires_at' | 'settled_at' | 'updated_at'>): Promise<void> {
    await tablesOf<GiftTables>(tx)
      .insertInto('gifts')
      .values({
        ...g,
        game_titles: JSON.stringify(g.game_titles),
        state: 'payment_failed',
        delivered_at: null,
        expires_at: null,
        settled_at: g.created_at,
        updated_at: g.created_at,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Applies a state-machine move if the gift is still in `from`; false if someone else moved it first. */
  async move(
    tx: Tx,
    id: string,
    from: GiftState,
    to: GiftState,
    patch: Omit<Updateable<GiftsTable>, 'id' | 'state'>,
    now: Date,
  ): Promise<boolean> {
    if (!canMoveGift(from, to)) throw new Error(`gift ${id}: ${from} → ${to} is not a move of the gift state machine`);
    const r = await tablesOf<GiftTables>(tx)
      .updateTable('gifts')
      .set({ ...patch, state: to, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Of `recipients`, those who own the game or have a gift of it on its way (S2.5). */
  async ownersOrPending(recipients: string[], gameId: string): Promise<Set<string>> {
    if (!recipients.length) return new Set();
    const [owners, pending] = await Promise.all([
      this.db.selectFrom('library').select('user_id').where('game_id', '=', gameId).where('user_id', 'in', recipients).execute(),
      this.db
        .selectFrom('gifts')
        .select('recipient_id as user_id')
        .where('game_id', '=', gameId)
        .where('recipient_id', 'in', recipients)
        .where('state', 'in', PENDING)
        .execute(),
    ]);
    return new Set([...owners, ...pending].map((r) => r.user_id));
  }

  profiles(userIds: string[]) {
    if (!userIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('account_profiles as p')
      .innerJoin('user as u', 'u.id', 'p.user_id')
      .select(['u.id', 'u.name', 'u.email', 'p.country', 'p.time_zone', 'p.language'])
      .where('p.user_id', 'in', userIds)
      .execute();
  }

  /** Sender and recipient, with what is needed to mail and notify them. */
  async people(senderId: string, recipientId: string) {
    const ps = await this.profiles([senderId, recipientId]);
    const sender = ps.find((p) => p.id === senderId);
    const recipient = ps.find((p) => p.id === recipientId);
    if (!sender || !recipient) throw new Error(`gift between ${senderId} and ${recipientId}: a user no longer exists`);
    return { sender, recipient };
  }

  listSent(userId: string) {
    return this.withOrder().where('g.sender_id', '=', userId).orderBy('g.created_at', 'desc').orderBy('g.id').limit(200).execute();
  }

  listReceived(userId: string) {
    return this.withOrder()
      .where('g.recipient_id', '=', userId)
      .where('g.state', 'in', VISIBLE_TO_RECIPIENT)
      .orderBy('g.delivered_at', 'desc')
      .orderBy('g.id')
      .limit(200)
      .execute();
  }

  /** S2.14: gifts created between `from` and `to` (dates, inclusive, UTC) matching the filters. */
  private reportQuery(f: GiftReportFilter) {
    let q = this.withOrder();
    if (f.from) q = q.where('g.created_at', '>=', new Date(`${f.from}T00:00:00Z`));
    if (f.to) q = q.where('g.created_at', '<', new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000));
    if (f.state) q = q.where('g.state', '=', f.state);
    if (f.gameId) q = q.where('g.game_id', '=', f.gameId);
    if (f.game) {
      const like = `%${f.game.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('g.game_title', 'ilike', like), eb(sql<string>`g.game_titles::text`, 'ilike', like)]));
    }
    if (f.senderCountry) q = q.where('g.sender_country', '=', f.senderCountry);
    if (f.recipientCountry) q = q.where('g.recipient_country', '=', f.recipientCountry);
    if (f.points) q = q.where('o.points_used', f.points === 'used' ? '>' : '=', 0);
    return q;
  }

  reportRows(f: GiftReportFilter, limit: number) {
    return this.reportQuery(f).orderBy('g.created_at', 'desc').orderBy('g.id').limit(limit).execute();
  }

  /** Totals over every matching gift (not only the rows shown): counts per state and money per currency. */
  async reportTotals(f: GiftReportFilter) {
    const q = this.reportQuery(f).clearSelect();
    const [byState, money, perDay] = await Promise.all([
      q
        .select(['g.state', sql<number>`count(*)::int`.as('count')])
        .groupBy('g.state')
        .execute(),
      q
        .select([
          'o.currency',
          sql<number>`count(*)::int`.as('count'),
          sql<number>`sum(o.paid_minor)::bigint`.as('paid'),
          sql<number>`coalesce(sum(o.refunded_minor), 0)::bigint`.as('refunded'),
          sql<number>`sum(o.points_used)::bigint`.as('points'),
        ])
        .groupBy('o.currency')
        .orderBy('o.currency')
        .execute(),
      q
        .select([
          sql<string>`to_char(g.created_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'),
          'g.state',
          sql<number>`count(*)::int`.as('count'),
        ])
        .groupBy([sql`1`, 'g.state'])
        .orderBy(sql`1`)
        .execute(),
    ]);
    return { byState, money, perDay };
  }
}

/** The gift's game title in a reader's language (the sender's title for gifts bought before titles were kept). */
export function giftTitle(g: { game_title: string; game_titles: Record<string, string> | null }, language: string): string {
  return g.game_titles && Object.keys(g.game_titles).length ? pickText(g.game_titles, language, 'en') : g.game_title;
}
