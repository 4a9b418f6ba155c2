import { sql, type ColumnType, type Kysely, type Selectable, type Updateable } from 'kysely';
import { pickText } from '../platform/languages.ts';
import { tablesOf, type Tx } from '../platform/db/tx.ts';
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

export interface GiftTables {
  gifts: GiftsTable;
}

export type GiftRow = Selectable<GiftsTable>;

/** What a gift shows of the order that paid for it (a gift's id is its order's id). */
export interface GiftOrder {
  status: string;
  currency: string;
  price_minor: number;
  paid_minor: number;
  points_used: number;
  points_earned: number;
  refunded_minor: number | null;
  payment_method: string;
  payment_id: string | null;
  approval_url: string | null;
  failure_code: string | null;
  failure_message: string | null;
}

/** A person as gifts need them: to name, mail and notify, and to judge by their country and time zone. */
export interface GiftPerson {
  id: string;
  name: string;
  email: string;
  country: string;
  time_zone: string;
  language: string;
}

/**
 * What gifts ask of their neighbours, each answered by the context that owns the data (the orders' tables, Better
 * Auth's users and the account profiles): this store's SQL touches the gifts table only.
 */
export interface GiftNeighbours {
  /** The orders that paid for these gifts, read in `tx` when given. */
  orders(ids: readonly string[], tx?: Tx): Promise<Map<string, GiftOrder>>;
  people(ids: string[]): Promise<GiftPerson[]>;
  /** Of `userIds`, those who own the game. */
  owners(userIds: string[], gameId: string): Promise<Set<string>>;
}

/** A gift with the order that paid for it and both people's names. */
export type GiftWithOrder = GiftRow & {
  sender_name: string;
  recipient_name: string;
  order_status: string;
} & Omit<GiftOrder, 'status' | 'points_earned' | 'payment_id'>;

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

export interface GiftReportTotals {
  byState: { state: GiftState; count: number }[];
  money: { currency: string; count: number; paid: number; refunded: number; points: number }[];
  perDay: { day: string; state: GiftState; count: number }[];
}

export class GiftStore {
  constructor(
    readonly db: Kysely<GiftTables>,
    private readonly neighbours: GiftNeighbours,
  ) {}

  /** Gifts with their orders and names, in the order given; a gift whose order is missing is left out. */
  private async withOrders(rows: GiftRow[], known?: Map<string, GiftOrder>): Promise<GiftWithOrder[]> {
    if (!rows.length) return [];
    const [orders, people] = await Promise.all([
      known ?? this.neighbours.orders(rows.map((g) => g.id)),
      this.names(rows.flatMap((g) => [g.sender_id, g.recipient_id])),
    ]);
    return rows.flatMap((g) => {
      const o = orders.get(g.id);
      if (!o) return [];
      return [
        {
          ...g,
          sender_name: people.get(g.sender_id) ?? '',
          recipient_name: people.get(g.recipient_id) ?? '',
          order_status: o.status,
          currency: o.currency,
          price_minor: o.price_minor,
          paid_minor: o.paid_minor,
          points_used: o.points_used,
          refunded_minor: o.refunded_minor,
          payment_method: o.payment_method,
          approval_url: o.approval_url,
          failure_code: o.failure_code,
          failure_message: o.failure_message,
        },
      ];
    });
  }

  private async names(ids: string[]): Promise<Map<string, string>> {
    return new Map((await this.neighbours.people([...new Set(ids)])).map((p) => [p.id, p.name]));
  }

  async byId(id: string): Promise<GiftWithOrder | undefined> {
    const g = await this.db.selectFrom('gifts').selectAll().where('id', '=', id).executeTakeFirst();
    return g ? (await this.withOrders([g]))[0] : undefined;
  }

  /** The gift, its paying order (both read in `tx`) and its two people: what settling it needs. */
  async settling(tx: Tx, id: string) {
    const g = await tablesOf<GiftTables>(tx).selectFrom('gifts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const [orders, people] = await Promise.all([this.neighbours.orders([id], tx), this.people(g.sender_id, g.recipient_id)]);
    const order = orders.get(id);
    if (!order) throw new Error(`gift ${id}: its order is missing`);
    return { gift: g, order, ...people };
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
      this.neighbours.owners(recipients, gameId),
      this.db
        .selectFrom('gifts')
        .select('recipient_id as user_id')
        .where('game_id', '=', gameId)
        .where('recipient_id', 'in', recipients)
        .where('state', 'in', PENDING)
        .execute(),
    ]);
    return new Set([...owners, ...pending.map((r) => r.user_id)]);
  }

  profiles(userIds: string[]): Promise<GiftPerson[]> {
    if (!userIds.length) return Promise.resolve([]);
    return this.neighbours.people(userIds);
  }

  /** Sender and recipient, with what is needed to mail and notify them. */
  async people(senderId: string, recipientId: string) {
    const ps = await this.profiles([senderId, recipientId]);
    const sender = ps.find((p) => p.id === senderId);
    const recipient = ps.find((p) => p.id === recipientId);
    if (!sender || !recipient) throw new Error(`gift between ${senderId} and ${recipientId}: a user no longer exists`);
    return { sender, recipient };
  }

  async listSent(userId: string) {
    return this.withOrders(
      await this.db
        .selectFrom('gifts')
        .selectAll()
        .where('sender_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(200)
        .execute(),
    );
  }

  async listReceived(userId: string) {
    return this.withOrders(
      await this.db
        .selectFrom('gifts')
        .selectAll()
        .where('recipient_id', '=', userId)
        .where('state', 'in', VISIBLE_TO_RECIPIENT)
        .orderBy('delivered_at', 'desc')
        .orderBy('id')
        .limit(200)
        .execute(),
    );
  }

  /**
   * S2.14: gifts created between `from` and `to` (dates, inclusive, UTC) matching the filters, newest first: the
   * first `limit` rows, and totals over every matching gift (counts per state and day, money per currency). The
   * gifts are filtered here, their orders' money comes from the orders (the points filter and the sums).
   */
  async report(f: GiftReportFilter, limit: number): Promise<{ rows: GiftWithOrder[]; totals: GiftReportTotals }> {
    let q = this.db.selectFrom('gifts').select(['id', 'state', 'created_at']);
    if (f.from) q = q.where('created_at', '>=', new Date(`${f.from}T00:00:00Z`));
    if (f.to) q = q.where('created_at', '<', new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000));
    if (f.state) q = q.where('state', '=', f.state);
    if (f.gameId) q = q.where('game_id', '=', f.gameId);
    if (f.game) {
      const like = `%${f.game.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('game_title', 'ilike', like), eb(sql<string>`game_titles::text`, 'ilike', like)]));
    }
    if (f.senderCountry) q = q.where('sender_country', '=', f.senderCountry);
    if (f.recipientCountry) q = q.where('recipient_country', '=', f.recipientCountry);
    const found = await q.orderBy('created_at', 'desc').orderBy('id').execute();
    const orders = await this.neighbours.orders(found.map((g) => g.id));
    const matching = found.filter((g) => {
      const o = orders.get(g.id);
      return o !== undefined && (!f.points || (f.points === 'used' ? o.points_used > 0 : o.points_used === 0));
    });

    const byState = new Map<GiftState, number>();
    const money = new Map<string, GiftReportTotals['money'][number]>();
    const perDay = new Map<string, GiftReportTotals['perDay'][number]>();
    for (const g of matching) {
      const o = orders.get(g.id)!;
      byState.set(g.state, (byState.get(g.state) ?? 0) + 1);
      const m = money.get(o.currency) ?? { currency: o.currency, count: 0, paid: 0, refunded: 0, points: 0 };
      m.count++;
      m.paid += o.paid_minor;
      m.refunded += o.refunded_minor ?? 0;
      m.points += o.points_used;
      money.set(o.currency, m);
      const day = g.created_at.toISOString().slice(0, 10);
      const d = perDay.get(`${day} ${g.state}`) ?? { day, state: g.state, count: 0 };
      d.count++;
      perDay.set(`${day} ${g.state}`, d);
    }
    const ids = matching.slice(0, limit).map((g) => g.id);
    const full = ids.length
      ? await this.db
          .selectFrom('gifts')
          .selectAll()
          .where(sql<boolean>`id = any(${ids}::uuid[])`)
          .execute()
      : [];
    const byId = new Map(full.map((g) => [g.id, g]));
    return {
      rows: await this.withOrders(
        ids.map((id) => byId.get(id)!),
        orders,
      ),
      totals: {
        byState: [...byState].map(([state, count]) => ({ state, count })),
        money: [...money.values()].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0)),
        perDay: [...perDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
      },
    };
  }
}

/** The gift's game title in a reader's language (the sender's title for gifts bought before titles were kept). */
export function giftTitle(g: { game_title: string; game_titles: Record<string, string> | null }, language: string): string {
  return g.game_titles && Object.keys(g.game_titles).length ? pickText(g.game_titles, language, 'en') : g.game_title;
}
