import { sql, type Kysely, type Transaction } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';

export interface WaitingRoomTables {
  waiting_rooms: {
    id: string;
    game_id: string;
    name: string;
    starts_at: Date;
    ends_at: Date | null;
    time_zone: string;
    rate_per_minute: number;
    token_ttl_seconds: number;
    status: 'active' | 'ended';
    ranked: boolean;
    next_position: number;
    created_by: string | null;
    created_at: Date;
  };
  waiting_room_tickets: {
    id: string;
    room_id: string;
    user_id: string;
    joined_at: Date;
    early: boolean;
    random_key: number;
    position: number | null;
    used_at: Date | null;
    order_id: string | null;
  };
}

export type RoomRow = WaitingRoomTables['waiting_rooms'];
export type TicketRow = WaitingRoomTables['waiting_room_tickets'];
type Db = Kysely<WaitingRoomTables>;
type Trx = Transaction<WaitingRoomTables>;

/**
 * The queue in PostgreSQL, so that every node sees one queue (R6). What makes it fair under concurrency (D4):
 * - before the start, joining takes the room row's lock in SHARE mode (many join at once) and stores a random key,
 *   no position: arriving early or often gives no advantage;
 * - the first request at or after the start takes the row's lock FOR UPDATE (waiting for the early joins in flight),
 *   numbers every early ticket 1…n in random-key order in one statement, and marks the room ranked;
 * - after that, each join takes the row's lock FOR UPDATE and takes `next_position`: first come, first served, in
 *   the order the joins reach the lock. UNIQUE (room_id, position) backs it; UNIQUE (room_id, user_id) keeps one
 *   place per account.
 */
export class WaitingRoomStore {
  constructor(private readonly db: Db) {}

  insertRoom(room: RoomRow): Promise<void> {
    return this.db
      .insertInto('waiting_rooms')
      .values(room)
      .execute()
      .then(() => undefined);
  }

  /** Rooms not ended, for the per-node cache. */
  activeRooms(): Promise<RoomRow[]> {
    return this.db.selectFrom('waiting_rooms').selectAll().where('status', '=', 'active').execute();
  }

  room(id: string): Promise<RoomRow | undefined> {
    return this.db.selectFrom('waiting_rooms').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async end(id: string, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('waiting_rooms')
      .set({ status: 'ended', ends_at: sql<Date>`least(coalesce(ends_at, ${at}), greatest(${at}, starts_at + interval '1 millisecond'))` })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Rooms with how many joined, were numbered, and checked out. */
  list(): Promise<(RoomRow & { joined: number; used: number })[]> {
    return this.db
      .selectFrom('waiting_rooms as r')
      .selectAll('r')
      .select((eb) => [
        eb.selectFrom('waiting_room_tickets as t').whereRef('t.room_id', '=', 'r.id').select(eb.fn.countAll<number>().as('n')).as('joined'),
        eb
          .selectFrom('waiting_room_tickets as t')
          .whereRef('t.room_id', '=', 'r.id')
          .where('t.used_at', 'is not', null)
          .select(eb.fn.countAll<number>().as('n'))
          .as('used'),
      ])
      .orderBy('r.starts_at', 'desc')
      .execute() as never;
  }

  ticket(roomId: string, userId: string, db: Db | Trx = this.db): Promise<TicketRow | undefined> {
    return db.selectFrom('waiting_room_tickets').selectAll().where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
  }

  ticketById(id: string): Promise<TicketRow | undefined> {
    return this.db.selectFrom('waiting_room_tickets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Numbers the early tickets in random order, once, at or after the start (see the class comment). */
  private async rank(trx: Trx, room: RoomRow): Promise<void> {
    const r = await sql<{ n: number }>`
      with ranked as (
        select id, row_number() over (order by random_key, id) as rn
          from waiting_room_tickets where room_id = ${room.id} and position is null
      ), numbered as (
        update waiting_room_tickets t set position = ranked.rn + ${room.next_position} - 1
          from ranked where t.id = ranked.id returning 1
      )
      select count(*)::int as n from numbered`.execute(trx);
    const n = r.rows[0]?.n ?? 0;
    await trx
      .updateTable('waiting_rooms')
      .set({ ranked: true, next_position: room.next_position + n })
      .where('id', '=', room.id)
      .execute();
  }

  /** Ranks the early arrivals if the room has started and nobody did yet. */
  async ensureRanked(roomId: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const room = await trx.selectFrom('waiting_rooms').selectAll().where('id', '=', roomId).forUpdate().executeTakeFirst();
      if (room && !room.ranked && now >= room.starts_at) await this.rank(trx, room);
    });
  }

  /**
   * Joins the queue (or answers the place one has). Early: a random key, numbered at the start. Later: the next
   * position. A ticket whose admission expired unused goes to the end of the queue again.
   */
  async join(
    roomId: string,
    userId: string,
    now: Date,
    fresh: { id: string; randomKey: number },
    expired: (t: TicketRow, room: RoomRow) => boolean,
  ): Promise<{ room: RoomRow; ticket: TicketRow } | undefined> {
    // Early joins share the room row's lock; the first attempt tells whether the room has started.
    const early = await this.db.transaction().execute(async (trx) => {
      const room = await trx.selectFrom('waiting_rooms').selectAll().where('id', '=', roomId).forShare().executeTakeFirst();
      if (!room) return { room: undefined };
      if (room.ranked || now >= room.starts_at) return { room, late: true };
      await trx
        .insertInto('waiting_room_tickets')
        .values({
          id: fresh.id,
          room_id: roomId,
          user_id: userId,
          joined_at: now,
          early: true,
          random_key: fresh.randomKey,
          position: null,
        })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
        .execute();
      return { room, ticket: await this.ticket(roomId, userId, trx) };
    });
    if (!early.room) return undefined;
    if (early.ticket) return { room: early.room, ticket: early.ticket };
    return this.db.transaction().execute(async (trx) => {
      const room = await trx.selectFrom('waiting_rooms').selectAll().where('id', '=', roomId).forUpdate().executeTakeFirstOrThrow();
      if (!room.ranked) await this.rank(trx, room);
      const current = await trx.selectFrom('waiting_rooms').select('next_position').where('id', '=', roomId).executeTakeFirstOrThrow();
      const mine = await this.ticket(roomId, userId, trx);
      if (mine && !expired(mine, room)) return { room, ticket: mine };
      const position = current.next_position;
      await trx
        .updateTable('waiting_rooms')
        .set({ next_position: position + 1 })
        .where('id', '=', roomId)
        .execute();
      const ticket = mine
        ? await trx
            .updateTable('waiting_room_tickets')
            .set({ position, joined_at: now, early: false, used_at: null, order_id: null })
            .where('id', '=', mine.id)
            .returningAll()
            .executeTakeFirstOrThrow()
        : await trx
            .insertInto('waiting_room_tickets')
            .values({ id: fresh.id, room_id: roomId, user_id: userId, joined_at: now, early: false, random_key: fresh.randomKey, position })
            .returningAll()
            .executeTakeFirstOrThrow();
      return { room: { ...room, next_position: position + 1 }, ticket };
    });
  }

  /** Marks an admission used by an order (single use); the same order again is not a second use. */
  async consume(ticketId: string, userId: string, orderId: string, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('waiting_room_tickets')
      .set({ used_at: now, order_id: orderId })
      .where('id', '=', ticketId)
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('used_at', 'is', null), eb('order_id', '=', orderId)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The order an admission was used for was undone before it was paid: the admission may be used again. */
  async release(tx: Tx, orderId: string): Promise<void> {
    await tablesOf<WaitingRoomTables>(tx)
      .updateTable('waiting_room_tickets')
      .set({ used_at: null, order_id: null })
      .where('order_id', '=', orderId)
      .execute();
  }
}
