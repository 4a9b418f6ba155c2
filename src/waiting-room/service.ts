import { randomInt, randomUUID } from 'node:crypto';
import { signJson, verifyJson } from '../platform/signed.ts';
import { notFound } from '../platform/errors.ts';
import { roomError } from './errors.ts';
import type { Clock } from '../platform/clock.ts';
import { isUuid } from '../platform/ids.ts';
import { isTimeZone } from '../platform/countries.ts';
import { instantToZoned, zonedToInstant } from '../platform/zoned-time.ts';
import type { RoomRow, TicketRow, WaitingRoomStore } from './store.ts';
import type { RoomInput, RoomView, TicketView } from './schemas.ts';

interface AdmissionClaims {
  /** ticket */
  t: string;
  /** room */
  r: string;
  /** game */
  g: string;
  /** user */
  u: string;
  /** expires (ms since epoch) */
  exp: number;
}

/**
 * Waiting rooms for launch spikes (R6). Admission follows a schedule, not a worker: position p is let in at
 * `starts_at + (p − 1) / rate`, so every node computes the same answer from the ticket alone, and a visitor's page
 * polls only as often as its ETA warrants (Retry-After). An admitted visitor gets a signed admission for the game,
 * valid `token_ttl_seconds` from their turn, that checkout consumes once (the order's compensation gives it back).
 */
export class WaitingRoomService {
  #cache: { at: number; rooms: RoomRow[] } | undefined;

  constructor(
    private readonly d: {
      store: WaitingRoomStore;
      clock: Clock;
      secret: string;
      gameExists(id: string): Promise<boolean>;
      /** How long a node trusts its list of rooms (ms); a room created or ended on another node is seen after it. */
      cacheMs?: number;
    },
  ) {}

  /** Active rooms, from a per-node cache refreshed at most every `cacheMs` (checkout asks on every order). */
  private async rooms(): Promise<RoomRow[]> {
    const now = Date.now();
    if (this.#cache && now - this.#cache.at < (this.d.cacheMs ?? 1000)) return this.#cache.rooms;
    const rooms = await this.d.store.activeRooms();
    this.#cache = { at: now, rooms };
    return rooms;
  }

  /** The room a game's checkout is behind now, or the next one announced for it. */
  async forGame(gameId: string): Promise<RoomView | null> {
    const now = this.d.clock.now();
    const room = (await this.rooms())
      .filter((r) => r.game_id === gameId && (!r.ends_at || now < r.ends_at))
      .sort((a, b) => a.starts_at.getTime() - b.starts_at.getTime())[0];
    return room ? this.view(room) : null;
  }

  private onNow(r: RoomRow, now: Date): boolean {
    return r.status === 'active' && now >= r.starts_at && (!r.ends_at || now < r.ends_at);
  }

  // ---------- the operator ----------

  async create(input: RoomInput, actorId: string): Promise<RoomView> {
    if (!isTimeZone(input.timeZone)) throw roomError(400, 'unknown_time_zone', { zone: input.timeZone });
    if (!(await this.d.gameExists(input.gameId))) throw roomError(400, 'unknown_game');
    const startsAt = zonedToInstant(input.startsAt, input.timeZone);
    const endsAt = input.endsAt ? zonedToInstant(input.endsAt, input.timeZone) : null;
    if (endsAt && endsAt <= startsAt) throw roomError(400, 'ends_before_start');
    const overlapping = (await this.d.store.activeRooms()).some(
      (r) => r.game_id === input.gameId && (!r.ends_at || r.ends_at > startsAt) && (!endsAt || r.starts_at < endsAt),
    );
    if (overlapping) throw roomError(409, 'room_overlaps');
    const room: RoomRow = {
      id: randomUUID(),
      game_id: input.gameId,
      name: input.name,
      starts_at: startsAt,
      ends_at: endsAt,
      time_zone: input.timeZone,
      rate_per_minute: input.ratePerMinute,
      token_ttl_seconds: input.tokenTtlSeconds ?? 600,
      status: 'active',
      ranked: false,
      next_position: 1,
      created_by: actorId,
      created_at: this.d.clock.now(),
    };
    await this.d.store.insertRoom(room);
    this.#cache = undefined;
    return this.view(room);
  }

  async list(): Promise<(RoomView & { joined: number; used: number })[]> {
    return (await this.d.store.list()).map((r) => ({ ...this.view(r), joined: Number(r.joined), used: Number(r.used) }));
  }

  async end(id: string): Promise<RoomView> {
    if (!isUuid(id) || !(await this.d.store.end(id, this.d.clock.now())))
      throw notFound({ en: 'This waiting room', ko: '이 대기실', ja: 'この待機室' }, 'room_not_found');
    this.#cache = undefined;
    return this.view((await this.d.store.room(id))!);
  }

  // ---------- the visitor ----------

  /** Joins the queue (once per account): a random place if before the start, the next place after it. */
  async join(roomId: string, userId: string): Promise<TicketView> {
    const now = this.d.clock.now();
    const room = isUuid(roomId) ? await this.d.store.room(roomId) : undefined;
    if (!room || room.status !== 'active' || (room.ends_at && now >= room.ends_at)) {
      throw roomError(409, 'room_closed');
    }
    const joined = await this.d.store.join(roomId, userId, now, { id: randomUUID(), randomKey: randomInt(2 ** 47) / 2 ** 47 }, (t, r) =>
      this.expired(t, r, now),
    );
    if (!joined) throw notFound({ en: 'This waiting room', ko: '이 대기실', ja: 'この待機室' }, 'room_not_found');
    return this.ticketView(joined.room, joined.ticket, now);
  }

  /** Where a visitor stands: position, how many are ahead, when it is their turn; the admission once it is. */
  async mine(roomId: string, userId: string): Promise<TicketView> {
    const now = this.d.clock.now();
    let room = isUuid(roomId) ? await this.d.store.room(roomId) : undefined;
    if (!room) throw notFound({ en: 'This waiting room', ko: '이 대기실', ja: 'この待機室' }, 'room_not_found');
    let ticket = await this.d.store.ticket(roomId, userId);
    if (!ticket)
      throw notFound(
        { en: 'Your place in this queue', ko: '이 대기열에서의 내 자리', ja: 'この待ち行列でのあなたの順番' },
        'ticket_not_found',
      );
    if (ticket.position === null && now >= room.starts_at) {
      await this.d.store.ensureRanked(roomId, now);
      [room, ticket] = [(await this.d.store.room(roomId))!, (await this.d.store.ticket(roomId, userId))!];
    }
    return this.ticketView(room, ticket, now);
  }

  /** How many are let in by `now` (position 1 at the start, then `rate` a minute). */
  private admitted(room: RoomRow, now: Date): number {
    const elapsed = now.getTime() - room.starts_at.getTime();
    return elapsed < 0 ? 0 : Math.floor((elapsed * room.rate_per_minute) / 60_000) + 1;
  }

  private turnAt(room: RoomRow, position: number): Date {
    return new Date(room.starts_at.getTime() + Math.ceil(((position - 1) * 60_000) / room.rate_per_minute));
  }

  private expired(t: TicketRow, room: RoomRow, now: Date): boolean {
    if (t.used_at || t.position === null) return false;
    return now.getTime() > this.turnAt(room, t.position).getTime() + room.token_ttl_seconds * 1000;
  }

  private ticketView(room: RoomRow, t: TicketRow, now: Date): TicketView {
    const base = { roomId: room.id, gameId: room.game_id, startsAt: room.starts_at.toISOString(), position: t.position };
    if (room.status !== 'active' || (room.ends_at && now >= room.ends_at)) {
      return { ...base, state: 'closed', ahead: 0, eta: null, retryAfterSeconds: 0 };
    }
    if (t.used_at) return { ...base, state: 'used', ahead: 0, eta: null, retryAfterSeconds: 0 };
    if (t.position === null) {
      // Before the start: everyone who is here gets a random place at the start.
      const wait = (room.starts_at.getTime() - now.getTime()) / 1000;
      return { ...base, state: 'waiting', ahead: null, eta: room.starts_at.toISOString(), retryAfterSeconds: clamp(wait / 2, 2, 30) };
    }
    const turn = this.turnAt(room, t.position);
    if (this.expired(t, room, now)) return { ...base, state: 'expired', ahead: 0, eta: null, retryAfterSeconds: 0 };
    const admitted = this.admitted(room, now);
    if (t.position <= admitted) {
      const exp = turn.getTime() + room.token_ttl_seconds * 1000;
      return {
        ...base,
        state: 'admitted',
        ahead: 0,
        eta: turn.toISOString(),
        retryAfterSeconds: 0,
        admission: signJson(this.d.secret, { t: t.id, r: room.id, g: room.game_id, u: t.user_id, exp } satisfies AdmissionClaims),
        admissionExpiresAt: new Date(exp).toISOString(),
      };
    }
    const wait = (turn.getTime() - now.getTime()) / 1000;
    // Poll gently: a quarter of the remaining wait, between 1 and 30 seconds, so thousands waiting cost little.
    return { ...base, state: 'waiting', ahead: t.position - admitted, eta: turn.toISOString(), retryAfterSeconds: clamp(wait / 4, 1, 30) };
  }

  /**
   * Checkout's gate: while a room is on for the game, an order needs this buyer's admission, once. Refusals say what
   * to do. Answers at once (from the per-node cache) when no room is on.
   */
  async admit(q: { gameId: string; userId: string; orderId: string; admission?: string }): Promise<void> {
    const now = this.d.clock.now();
    const room = (await this.rooms()).find((r) => r.game_id === q.gameId && this.onNow(r, now));
    if (!room) return;
    if (!q.admission) {
      throw roomError(403, 'waiting_room_required', {}, { roomId: room.id });
    }
    const c = verifyJson<AdmissionClaims>(this.d.secret, q.admission);
    if (!c || c.r !== room.id || c.g !== q.gameId || c.u !== q.userId) {
      throw roomError(403, 'admission_invalid', {}, { roomId: room.id });
    }
    if (now.getTime() > c.exp) {
      throw roomError(403, 'admission_expired', {}, { roomId: room.id });
    }
    if (!(await this.d.store.consume(c.t, q.userId, q.orderId, now))) {
      throw roomError(409, 'admission_used', {}, { roomId: room.id });
    }
  }

  private view(r: RoomRow): RoomView {
    const now = this.d.clock.now();
    return {
      id: r.id,
      gameId: r.game_id,
      name: r.name,
      timeZone: r.time_zone,
      startsAt: instantToZoned(r.starts_at, r.time_zone),
      endsAt: r.ends_at ? instantToZoned(r.ends_at, r.time_zone) : null,
      startsAtUtc: r.starts_at.toISOString(),
      endsAtUtc: r.ends_at?.toISOString() ?? null,
      ratePerMinute: r.rate_per_minute,
      tokenTtlSeconds: r.token_ttl_seconds,
      state: r.status === 'ended' || (r.ends_at && now >= r.ends_at) ? 'ended' : now < r.starts_at ? 'upcoming' : 'on',
    };
  }
}

const clamp = (x: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, x)));
