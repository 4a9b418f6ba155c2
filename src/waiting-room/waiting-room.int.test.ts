import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { settle } from '../../test/checkout.ts';
import { instantToZoned } from '../platform/zoned-time.ts';
import { kendallTau } from '../../bench/stats.ts';

let t: TestStore;
let op: Awaited<ReturnType<typeof signInOperator>>;
type User = Awaited<ReturnType<typeof signUp>>;

const key = () => ({ 'idempotency-key': randomBytes(8).toString('hex') });
async function newGame(): Promise<string> {
  const g = await op.post(
    '/api/operator/games',
    gameInput({
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1000 }] }],
    }),
  );
  return g.body.id;
}
/** A room for a game opening `inMinutes` from the store's now, letting `rate` a minute in. */
async function room(gameId: string, inMinutes: number, rate: number, extra: Record<string, unknown> = {}) {
  const r = await op.post('/api/operator/waiting-rooms', {
    gameId,
    name: 'Launch',
    timeZone: 'Asia/Seoul',
    startsAt: instantToZoned(new Date(t.clock.now().getTime() + inMinutes * 60_000), 'Asia/Seoul'),
    ratePerMinute: rate,
    ...extra,
  });
  expect(r.status).toBe(201);
  return r.body as { id: string; startsAtUtc: string };
}
const users = (n: number) => Promise.all(Array.from({ length: n }, () => signUp(t)));

beforeAll(async () => {
  t = await startTestStore({ now: '2026-12-10T10:00:00Z', durable: true, env: { TIMER_POLL_MS: '50' } });
  op = await signInOperator(t);
});
afterAll(() => t?.close());

describe('the waiting room (R6)', () => {
  it('R6 arrivals before the start get random places at the start; after it, first come first served; one place per account', async () => {
    const gameId = await newGame();
    const r = await room(gameId, 10, 60);
    const early = await users(40);
    for (const u of early) {
      const joined = await u.client.post(`/api/waiting-rooms/${r.id}/ticket`);
      expect(joined.status).toBe(200);
      expect(joined.body).toMatchObject({ state: 'waiting', position: null, eta: r.startsAtUtc });
      expect(Number(joined.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    }
    // Hammering before the start changes nothing: the same ticket, still no place.
    for (let i = 0; i < 5; i++) expect((await early[0]!.client.post(`/api/waiting-rooms/${r.id}/ticket`)).body.position).toBeNull();

    t.clock.set(r.startsAtUtc);
    const late: User[] = await users(10);
    for (const u of late) await u.client.post(`/api/waiting-rooms/${r.id}/ticket`);
    const earlyPlaces = await Promise.all(
      early.map(async (u) => (await u.client.get(`/api/waiting-rooms/${r.id}/ticket`)).body.position as number),
    );
    const latePlaces = await Promise.all(
      late.map(async (u) => (await u.client.get(`/api/waiting-rooms/${r.id}/ticket`)).body.position as number),
    );
    // Early arrivals fill 1…40 in an order that has nothing to do with when they came.
    expect([...earlyPlaces].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const tauEarly = kendallTau(
      early.map((_, i) => i),
      earlyPlaces,
    );
    expect(Math.abs(tauEarly)).toBeLessThan(0.6);
    // Late arrivals queue behind them in arrival order.
    expect(latePlaces).toEqual(Array.from({ length: 10 }, (_, i) => 41 + i));
    // Concurrent joins get distinct places after everyone before them.
    const burst = await users(30);
    const places = await Promise.all(
      burst.map(async (u) => (await u.client.post(`/api/waiting-rooms/${r.id}/ticket`)).body.position as number),
    );
    expect(new Set(places).size).toBe(30);
    expect(Math.min(...places)).toBe(51);
    expect(Math.max(...places)).toBe(80);
    console.info(
      JSON.stringify({
        R6: { earlyArrivalVsPlaceTau: Number(tauEarly.toFixed(3)), lateArrivalVsPlaceTau: kendallTau([...latePlaces.keys()], latePlaces) },
      }),
    );
  });

  it('R6 admission at the configured rate; checkout refuses without an admission while the room is on; an admission is single-use, given back when the payment fails, and expires', async () => {
    const gameId = await newGame();
    const r = await room(gameId, 5, 60, { tokenTtlSeconds: 120 });
    const [a, b, c] = await users(3);
    const stranger = await signUp(t);
    for (const u of [a!, b!, c!]) await u.client.post(`/api/waiting-rooms/${r.id}/ticket`);
    // Before the start, checkout is not gated yet.
    t.clock.set(r.startsAtUtc);
    const mine = async (u: User) => (await u.client.get(`/api/waiting-rooms/${r.id}/ticket`)).body;
    const tickets = await Promise.all([a!, b!, c!].map(mine));
    const byPlace = [a!, b!, c!].map((u, i) => ({ u, place: tickets[i].position as number })).sort((x, y) => x.place - y.place);
    const [first, second, third] = byPlace.map((x) => x.u);
    // 60 a minute: the first is in at the start, the second a second later, the third two seconds later.
    expect((await mine(first!)).state).toBe('admitted');
    const waiting = await mine(second!);
    expect(waiting).toMatchObject({ state: 'waiting', ahead: 1, eta: new Date(Date.parse(r.startsAtUtc) + 1000).toISOString() });
    t.clock.advance(2000);
    expect((await mine(third!)).state).toBe('admitted');

    // No admission: refused with what to do.
    const none = await stranger.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, key());
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: 'waiting_room_required', details: { roomId: r.id } });
    // Someone else's admission: refused.
    const firstAdmission = (await mine(first!)).admission as string;
    const stolen = await stranger.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', admission: firstAdmission },
      key(),
    );
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('admission_invalid');

    // The card is declined: the order is cancelled and the admission comes back.
    t.faults.next = 'decline';
    const declined = await first!.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', admission: firstAdmission },
      key(),
    );
    const failed = await settle(first!.client, declined.body.id);
    t.faults.next = undefined;
    expect(failed.status).toBe('cancelled');
    const paid = await first!.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', admission: firstAdmission },
      key(),
    );
    expect(paid.status).toBe(202);
    expect((await settle(first!.client, paid.body.id)).status).toBe('paid');
    expect((await mine(first!)).state).toBe('used');
    // Used once: refunded and bought again with the same admission, it is refused.
    expect((await first!.client.post(`/api/orders/${paid.body.id}/refund`)).status).toBeLessThan(300);
    await settle(first!.client, paid.body.id, (s) => s === 'refunded');
    const reuse = await first!.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', admission: firstAdmission },
      key(),
    );
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.code).toBe('admission_used');

    // Expired: the second never came back; two minutes after their turn the admission is gone, the order refused.
    const secondAdmission = (await mine(second!)).admission as string;
    t.clock.advance(121_000);
    expect((await mine(second!)).state).toBe('expired');
    const late = await second!.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', admission: secondAdmission },
      key(),
    );
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('admission_expired');
    // Joining again puts them at the end of the queue.
    const rejoined = await second!.client.post(`/api/waiting-rooms/${r.id}/ticket`);
    expect(rejoined.body.position).toBe(4);

    // The operator closes the room: checkout works as usual.
    expect((await op.post(`/api/operator/waiting-rooms/${r.id}/end`)).body.state).toBe('ended');
    const after = await stranger.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, key());
    expect(after.status).toBe(202);
    const rooms = (await op.get('/api/operator/waiting-rooms')).body as { id: string; joined: number; used: number; state: string }[];
    expect(rooms.find((x) => x.id === r.id)).toMatchObject({ joined: 3, used: 1, state: 'ended' });
  });
});
