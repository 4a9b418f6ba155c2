import { sql, type Kysely, type Selectable, type Updateable, type ColumnType } from 'kysely';
import { afterCommit, tablesOf, type Tx } from '../platform/db/tx.ts';
import { Signals } from '../platform/signals.ts';
import { publish } from '../platform/events.ts';
import './events.ts';
import { LIVE, type OrderStatus } from './state.ts';

export interface OrdersTable {
  id: string;
  user_id: string;
  idempotency_key: string;
  game_id: string;
  edition_id: string;
  kind: 'preorder' | 'purchase';
  status: OrderStatus;
  currency: string;
  list_minor: number;
  discount_minor: number;
  price_minor: number;
  points_used: number;
  paid_minor: number;
  points_earned: ColumnType<number, number | undefined, number>;
  payment_method: string;
  payment_id: string | null;
  approval_url: string | null;
  /** Wall-clock time (an operational limit, not business time) until which the buyer may approve a wallet payment. */
  approval_expires_at: Date | null;
  refund_attempts: ColumnType<number, number | undefined, number>;
  store_country: string;
  /** Bought as a gift: it enters the recipient's library when they accept, never the buyer's. */
  gift: ColumnType<boolean, boolean | undefined, boolean>;
  /** The cart checkout this order is one game of (its payment pays them all); null for a single purchase. */
  checkout_id: ColumnType<string | null, string | null | undefined, never>;
  failure_code: string | null;
  failure_message: string | null;
  refunded_minor: number | null;
  refund_points_shortfall: number | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}
export interface OrderTables {
  orders: OrdersTable;
  library: { user_id: string; game_id: string; order_id: string; acquired_at: Date };
  payment_events: { event_id: string; payment_id: string; type: string; received_at: Date };
  cart_items: { user_id: string; game_id: string; edition_id: string | null; added_at: Date; seq: ColumnType<string, never, never> };
}
export type CartItemRow = OrderTables['cart_items'];
export type OrderRow = Selectable<OrdersTable>;
export type NewOrder = Omit<
  OrderRow,
  | 'gift'
  | 'checkout_id'
  | 'status'
  | 'points_earned'
  | 'payment_id'
  | 'approval_url'
  | 'approval_expires_at'
  | 'refund_attempts'
  | 'failure_code'
  | 'failure_message'
  | 'refunded_minor'
  | 'refund_points_shortfall'
  | 'updated_at'
> & { gift?: boolean; checkout_id?: string | null };

/** Most games one cart holds. */
export const CART_LIMIT = 50;

export class OrderStore {
  /** "Order <id> changed", after the change committed: wakes whoever waits for it (a buyer's page, a checkout's answer). */
  readonly changes = new Signals();
  constructor(private readonly db: Kysely<OrderTables>) {}

  /** An order changed: whoever follows it, or the cart checkout it belongs to, is woken after the commit. */
  private changed(tx: Tx, id: string, checkoutId?: string | null): void {
    afterCommit(tx, () => {
      this.changes.notify(id);
      if (checkoutId) this.changes.notify(checkoutId);
    });
  }

  byId(id: string) {
    return this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The orders behind a PG order reference: the order itself, or the orders of a cart checkout (whose id is the
   * reference of its one payment).
   */
  forReference(ref: string) {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('checkout_id', '=', ref)]))
      .orderBy('id')
      .execute();
  }

  /** The orders of one cart checkout, in the order they were placed. */
  byCheckout(checkoutId: string) {
    return this.db.selectFrom('orders').selectAll().where('checkout_id', '=', checkoutId).orderBy('idempotency_key').execute();
  }

  byKey(userId: string, key: string) {
    return this.db.selectFrom('orders').selectAll().where('user_id', '=', userId).where('idempotency_key', '=', key).executeTakeFirst();
  }

  /**
   * Where a checkout of `gameId` by `userId` stands, in one round trip: the order `orderId` if it exists already (the
   * same request again), a live order of the game, and the library entry (owned through an accepted gift).
   */
  async standing(orderId: string, userId: string, gameId: string): Promise<{ self?: OrderRow; live?: OrderRow; owned: boolean }> {
    const { rows } = await sql<OrderRow & { in_library: boolean }>`
      select o.*, exists (select 1 from library l where l.user_id = ${userId} and l.game_id = ${gameId}) as in_library
      from (select 1) as one
      left join orders o
        on o.id = ${orderId} or (o.user_id = ${userId} and o.game_id = ${gameId} and o.status in (${sql.join(['pending', ...LIVE])}))`.execute(
      this.db,
    );
    const found = rows.filter((r) => r.id !== null).map(({ in_library: _, ...o }) => o);
    return {
      self: found.find((o) => o.id === orderId),
      // Any other row the join found is a live order of the game.
      live: found.find((o) => o.id !== orderId),
      owned: rows[0]?.in_library ?? false,
    };
  }

  /** The user's own purchases (gifts they bought are listed with their gifts). */
  listForUser(userId: string) {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('gift', '=', false)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(200)
      .execute();
  }

  /** The orders with these ids, read in `tx` when given: gifts read the orders that paid for them here. */
  async byIds(ids: readonly string[], tx?: Tx): Promise<Map<string, OrderRow>> {
    if (!ids.length) return new Map();
    const db = tx ? tablesOf<OrderTables>(tx) : this.db;
    const rows = await db
      .selectFrom('orders')
      .selectAll()
      .where(sql<boolean>`id = any(${ids}::uuid[])`)
      .execute();
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Of `userIds`, those whose library holds `gameId`. */
  async owners(userIds: readonly string[], gameId: string): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows = await this.db
      .selectFrom('library')
      .select('user_id')
      .where('game_id', '=', gameId)
      .where(sql<boolean>`user_id = any(${userIds})`)
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }

  owns(userId: string, gameId: string) {
    return this.db.selectFrom('library').select('order_id').where('user_id', '=', userId).where('game_id', '=', gameId).executeTakeFirst();
  }

  /** The games a user owns: bought by them, or gifts they accepted (whose order is the sender's). */
  libraryOf(userId: string) {
    return this.db
      .selectFrom('library as l')
      .innerJoin('orders as o', 'o.id', 'l.order_id')
      .select(['l.game_id', 'l.order_id', 'l.acquired_at', 'o.gift', 'o.user_id as bought_by'])
      .where('l.user_id', '=', userId)
      .orderBy('l.acquired_at', 'desc')
      .execute();
  }

  /** Creates the pending order; the same id again is a no-op. False if another live order of the game exists. */
  async insertPending(tx: Tx, o: NewOrder, now: Date): Promise<boolean> {
    const db = tablesOf<OrderTables>(tx);
    // No conflict target: a clash on the id (a re-run) or on orders_one_live_per_game (another live order of the
    // game) inserts nothing and is an answer, not an error that would end the caller's transaction.
    const inserted = await db
      .insertInto('orders')
      .values({ ...o, status: 'pending', updated_at: now })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return (await db.selectFrom('orders').select('id').where('id', '=', o.id).executeTakeFirst()) !== undefined;
    this.changed(tx, o.id, o.checkout_id);
    return true;
  }

  /** An order refused before it was placed (not enough points, a live order of the game): kept, cancelled with the reason, so the buyer sees why. */
  async insertRefused(tx: Tx, o: NewOrder, failure: { code: string; message: string }, now: Date): Promise<void> {
    await tablesOf<OrderTables>(tx)
      .insertInto('orders')
      .values({ ...o, status: 'cancelled', failure_code: failure.code, failure_message: failure.message, updated_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    this.changed(tx, o.id, o.checkout_id);
  }

  /**
   * Applies a state-machine move if the order is still in `from` (false if someone else moved it first). Called by
   * the order lifecycle (orders/lifecycle.ts) only, which runs what the move does; `bump` counts a failed refund.
   */
  async move(
    tx: Tx,
    id: string,
    from: OrderStatus,
    to: OrderStatus,
    patch: Omit<Updateable<OrdersTable>, 'id' | 'status' | 'refund_attempts'>,
    now: Date,
    bump?: 'refund_attempts',
  ): Promise<boolean> {
    const r = await tablesOf<OrderTables>(tx)
      .updateTable('orders')
      .set((eb) => ({ ...patch, status: to, updated_at: now, ...(bump ? { refund_attempts: eb('refund_attempts', '+', 1) } : {}) }))
      .where('id', '=', id)
      .where('status', '=', from)
      .returning('checkout_id')
      .executeTakeFirst();
    if (r) this.changed(tx, id, r.checkout_id);
    return r !== undefined;
  }

  /** Locks the order's row for a move inside `tx`. */
  lock(tx: Tx, id: string): Promise<OrderRow | undefined> {
    return tablesOf<OrderTables>(tx).selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * Records where the buyer approves and, the first time only, until when, on the orders of a PG order reference
   * (one order, or a cart checkout's): returns the deadline that holds (a re-run of the charge after a crash gets the
   * first one back).
   */
  async setApproval(ref: string, url: string, expiresAt: Date, now: Date): Promise<Date> {
    const rows = await this.db
      .updateTable('orders')
      .set({ approval_url: url, approval_expires_at: sql<Date>`coalesce(approval_expires_at, ${expiresAt})`, updated_at: now })
      .where((eb) => eb.or([eb('id', '=', ref), eb('checkout_id', '=', ref)]))
      .returning(['id', 'approval_expires_at'])
      .execute();
    this.changes.notify(ref);
    for (const r of rows) if (r.id !== ref) this.changes.notify(r.id);
    return rows[0]?.approval_expires_at ?? expiresAt;
  }

  // ---------- the cart ----------

  /** Of `gameIds`, those the user has: in the library, or with a live order of their own (not a gift). */
  async having(userId: string, gameIds: readonly string[]): Promise<Map<string, 'library' | 'order'>> {
    if (!gameIds.length) return new Map();
    const r = await sql<{ game_id: string; source: 'library' | 'order' }>`
      select game_id, 'order' as source from orders
        where user_id = ${userId} and game_id = any(${gameIds}::uuid[]) and status in ('pending', 'paid', 'refund_pending') and not gift
      union all
      select game_id, 'library' from library where user_id = ${userId} and game_id = any(${gameIds}::uuid[])`.execute(this.db);
    return new Map(r.rows.map((row) => [row.game_id, row.source]));
  }

  cart(userId: string) {
    return this.db
      .selectFrom('cart_items')
      .select(['user_id', 'game_id', 'edition_id', 'added_at'])
      .where('user_id', '=', userId)
      .orderBy('seq')
      .execute();
  }

  /**
   * Puts a game in the cart (again: its edition changes, its place does not). False when the cart is full. The
   * count and the insert are one statement, so two tabs adding at once cannot pass the limit by much — the limit is
   * a courtesy, not money.
   */
  async addToCart(userId: string, gameId: string, editionId: string | null, now: Date): Promise<boolean> {
    const r = await sql<{ game_id: string }>`
      insert into cart_items (user_id, game_id, edition_id, added_at)
      select ${userId}, ${gameId}::uuid, ${editionId}::uuid, ${now}
      where (select count(*) from cart_items where user_id = ${userId} and game_id <> ${gameId}::uuid) < ${CART_LIMIT}
      on conflict (user_id, game_id) do update set edition_id = excluded.edition_id
      returning game_id`.execute(this.db);
    return r.rows.length > 0;
  }

  async removeFromCart(userId: string, gameId: string): Promise<void> {
    await this.db.deleteFrom('cart_items').where('user_id', '=', userId).where('game_id', '=', gameId).execute();
  }

  /** The games a checkout paid for leave the cart, in the transaction that marks them paid. */
  async clearCart(tx: Tx, userId: string, gameIds: readonly string[]): Promise<void> {
    if (!gameIds.length) return;
    await tablesOf<OrderTables>(tx)
      .deleteFrom('cart_items')
      .where('user_id', '=', userId)
      .where(sql<boolean>`game_id = any(${gameIds}::uuid[])`)
      .execute();
  }

  /** Adds a game to a user's library (bought, or a gift accepted); false when they own it already. */
  async grant(tx: Tx, entry: OrderTables['library'], source: 'purchase' | 'preorder' | 'gift' = 'gift'): Promise<boolean> {
    const added = await tablesOf<OrderTables>(tx)
      .insertInto('library')
      .values(entry)
      .onConflict((oc) => oc.columns(['user_id', 'game_id']).doNothing())
      .returning('order_id')
      .executeTakeFirst();
    if (added)
      await publish(
        tx,
        'library.added',
        { userId: entry.user_id, gameId: entry.game_id, orderId: entry.order_id, source },
        entry.acquired_at,
      );
    return added !== undefined;
  }

  /** The games an order put in a library leave it (the order was refunded). */
  async revoke(tx: Tx, orderId: string, now: Date): Promise<void> {
    const removed = await tablesOf<OrderTables>(tx)
      .deleteFrom('library')
      .where('order_id', '=', orderId)
      .returning(['user_id', 'game_id'])
      .execute();
    for (const r of removed) await publish(tx, 'library.removed', { userId: r.user_id, gameId: r.game_id, orderId }, now);
  }

  /** A webhook event is processed once: false when it was seen before (duplicate or late redelivery). */
  async recordEvent(e: { event_id: string; payment_id: string; type: string }, now: Date): Promise<boolean> {
    const inserted = await this.db
      .insertInto('payment_events')
      .values({ ...e, received_at: now })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Orders still in flight since before `before` (reconciliation reports them). */
  stuck(before: Date) {
    return this.db
      .selectFrom('orders')
      .select(['id', 'status', 'updated_at', 'payment_id'])
      .where('status', 'in', ['pending', 'refund_pending'])
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .limit(500)
      .execute();
  }
}
