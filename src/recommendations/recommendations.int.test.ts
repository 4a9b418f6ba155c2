import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { settle } from '../../test/checkout.ts';
import { Transactions } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import '../orders/events.ts';
import type { GameInput } from '../catalog/schemas.ts';

let t: TestStore;
let op: Client;
const games: Record<string, string> = {};
const prices = [
  { country: '*', currency: 'USD', amountMinor: 2000 },
  { country: 'KR', currency: 'KRW', amountMinor: 30000 },
];

/** Shooters s1..s4, farming sims f1..f4, and a shooter sold only in Japan. */
beforeAll(async () => {
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  op = await signInOperator(t);
  const specs: [string, string, string[], GameInput['regions']?][] = [
    ...[1, 2, 3, 4].map((i): [string, string, string[]] => [`s${i}`, 'Action', ['Shooter']]),
    ...[1, 2, 3, 4].map((i): [string, string, string[]] => [`f${i}`, 'Simulation', ['Farming']]),
    ['jp', 'Action', ['Shooter'], { sale: { mode: 'only', countries: ['JP'] }, play: { mode: 'everywhere', countries: [] } }],
  ];
  for (const [name, genre, tags, regions] of specs) {
    const r = await op.post(
      '/api/operator/games',
      gameInput({
        slug: `${name}-${randomBytes(3).toString('hex')}`,
        title: { en: `Game ${name.toUpperCase()}` },
        genres: [genre],
        tags,
        releaseDate: '2026-10-01',
        editions: [{ code: 'standard', name: { en: 'Standard' }, prices }],
        ...(regions ? { regions } : {}),
      }),
    );
    expect(r.status).toBe(201);
    games[name] = r.body.id;
  }
  // 40 players with history: each owns three games of one cluster (shooter fans also own the Japan-only shooter).
  const tx = new Transactions(t.store.pool);
  for (let u = 0; u < 40; u++) {
    const kind = u % 2 ? 's' : 'f';
    const owned = [0, 1, 2].map((i) => `${kind}${((Math.floor(u / 2) + i) % 4) + 1}`);
    if (kind === 's') owned.push('jp');
    for (const g of owned) {
      await tx.run((x) =>
        publish(
          x,
          'library.added',
          { userId: `seed-${u}`, gameId: games[g]!, orderId: `seed-${u}-${g}`, source: 'purchase' },
          t.clock.now(),
        ),
      );
    }
  }
  await t.store.events.caughtUp();
  await t.store.recommendations.trainNow();
}, 120_000);
afterAll(() => t?.close());

const ids = (recs: { game: { id: string } }[]) => recs.map((r) => r.game.id);
const named = (id: string) => Object.entries(games).find(([, v]) => v === id)?.[0];

describe('recommendations (R8, R9, R12)', () => {
  it('R8 a visitor and a new player get what sells in their country, then what is popular, each with its reason', async () => {
    const visitor = new Client(t.url);
    const r = await visitor.get('/api/recommendations?limit=5');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(5);
    for (const rec of r.body) expect(['popular', 'popular_in_country']).toContain(rec.reason.kind);
  });

  it('R8 a new player who picks genres gets their popular games first, with that reason; an unknown genre is refused', async () => {
    const { client } = await signUp(t, { country: 'KR' });
    const bad = await client.put('/api/me/genres', { genres: ['Simulation', 'Polka'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('unknown_genre');
    expect((await client.put('/api/me/genres', { genres: ['Simulation'] })).body).toEqual({ genres: ['Simulation'] });
    expect((await client.get('/api/me/genres')).body).toEqual({ genres: ['Simulation'] });
    const recs = (await client.get('/api/recommendations?limit=6')).body;
    expect(recs.slice(0, 4).map((r: { game: { id: string } }) => named(r.game.id)?.[0])).toEqual(['f', 'f', 'f', 'f']);
    expect(recs[0].reason).toEqual({ kind: 'liked_genre', genre: 'Simulation' });
  });

  it('R8 R9 wishlisting a game and playing one change the next page view, with "because you …" reasons', async () => {
    const { client, me } = await signUp(t, { country: 'KR', language: 'en' });
    expect((await client.put(`/api/wishlist/${games.f1}`)).status).toBe(204);
    expect((await client.put(`/api/wishlist/${games.f1}`)).status).toBe(204); // again: no change
    const wishlist = (await client.get('/api/wishlist')).body;
    expect(wishlist).toEqual([
      { gameId: games.f1, addedAt: expect.any(String), game: expect.objectContaining({ id: games.f1, title: 'Game F1' }) },
    ]);
    await t.store.events.caughtUp();
    const afterWish = (await client.get('/api/recommendations?limit=4')).body;
    expect(afterWish[0].reason).toEqual({ kind: 'because_wishlisted', gameId: games.f1, title: 'Game F1' });
    expect(ids(afterWish).slice(0, 3).map(named).sort()).toEqual(['f2', 'f3', 'f4']);
    expect(ids(afterWish)).not.toContain(games.f1); // on the wishlist: not recommended again

    // The player buys a shooter and plays it: shooters come first now, because of that game.
    const placed = await client.post(
      '/api/orders',
      { gameId: games.s1, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': randomBytes(8).toString('hex') },
    );
    expect(placed.status).toBe(202);
    expect((await settle(client, placed.body.id)).status).toBe('paid');
    const session = await client.post('/api/play/sessions', { gameId: games.s1 });
    expect(session.status).toBe(201);
    for (let beat = 0; beat < 10; beat++) {
      t.clock.advance(4 * 60_000);
      expect((await client.post(`/api/play/sessions/${session.body.id}/heartbeat`)).status).toBe(200);
    }
    t.clock.advance(4 * 60_000);
    const stopped = await client.post(`/api/play/sessions/${session.body.id}/stop`);
    expect(stopped.body).toMatchObject({ seconds: 44 * 60, endedAt: expect.any(String) });
    expect((await client.get('/api/play/recent')).body).toEqual([
      { gameId: games.s1, minutesPlayed: 44, lastPlayedAt: expect.any(String) },
    ]);
    await t.store.events.caughtUp();
    const afterPlay = (await client.get('/api/recommendations?limit=6')).body;
    const shooters = afterPlay.filter((r: { game: { id: string } }) => named(r.game.id)?.startsWith('s'));
    expect(shooters.map((r: { game: { id: string } }) => named(r.game.id)).sort()).toEqual(['s2', 's3', 's4']);
    expect(shooters[0].reason).toEqual({ kind: 'because_played', gameId: games.s1, title: 'Game S1' });
    expect(ids(afterPlay)).not.toContain(games.s1); // owned now
    expect(me.country).toBe('KR');
  });

  it('R12 R8 never recommends a game the player owns or one not sold in their country, also after training', async () => {
    const { client } = await signUp(t, { country: 'KR', language: 'en' });
    const placed = await client.post(
      '/api/orders',
      { gameId: games.s2, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': randomBytes(8).toString('hex') },
    );
    expect((await settle(client, placed.body.id)).status).toBe('paid');
    await t.store.events.caughtUp();
    await t.store.recommendations.trainNow();
    const recs = (await client.get('/api/recommendations?limit=20')).body;
    expect(ids(recs)).not.toContain(games.s2);
    expect(ids(recs)).not.toContain(games.jp); // shooter fans own it, but it is sold in Japan only
    expect(recs.length).toBeGreaterThan(3);
    const similar = (await client.get(`/api/games/${games.s3}/similar`)).body;
    expect(similar.map((g: { id: string }) => named(g.id))).not.toContain('jp');
    expect(
      similar
        .map((g: { id: string }) => named(g.id))
        .slice(0, 2)
        .every((n: string) => n.startsWith('s')),
    ).toBe(true);
  });

  it('R9 play sessions and the wishlist check who may do what', async () => {
    const a = await signUp(t, { country: 'KR' });
    const b = await signUp(t, { country: 'KR' });
    const notOwned = await a.client.post('/api/play/sessions', { gameId: games.f2 });
    expect(notOwned.status).toBe(403);
    expect(notOwned.body.error.code).toBe('not_owned');
    const placed = await a.client.post(
      '/api/orders',
      { gameId: games.f2, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': randomBytes(8).toString('hex') },
    );
    await settle(a.client, placed.body.id);
    const s = await a.client.post('/api/play/sessions', { gameId: games.f2 });
    expect((await b.client.post(`/api/play/sessions/${s.body.id}/heartbeat`)).status).toBe(404);
    const owned = await a.client.put(`/api/wishlist/${games.f2}`);
    expect(owned.status).toBe(409);
    expect(owned.body.error.code).toBe('already_owned');
    expect((await a.client.put(`/api/wishlist/${randomBytes(4).toString('hex')}`)).status).toBe(404);
    // A heartbeat after the session went quiet ends it at its last heartbeat.
    t.clock.advance(10 * 60_000);
    const late = await a.client.post(`/api/play/sessions/${s.body.id}/heartbeat`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('session_ended');
    expect((await a.client.post(`/api/play/sessions/${s.body.id}/stop`)).body.seconds).toBe(0);
  });

  it('R9 what friends own and play is recommended, with "2 friends play this"', async () => {
    const me = await signUp(t, { country: 'KR' });
    const tx = new Transactions(t.store.pool);
    for (let i = 0; i < 2; i++) {
      const friend = await signUp(t, { country: 'KR' });
      expect((await me.client.post('/api/friends/requests', { userId: friend.me.id })).status).toBe(201);
      expect((await friend.client.post(`/api/friends/requests/${me.me.id}/accept`)).status).toBe(204);
      await tx.run((x) =>
        publish(x, 'library.added', { userId: friend.me.id, gameId: games.f3!, orderId: `friend-${i}`, source: 'purchase' }, t.clock.now()),
      );
    }
    // A stranger owning a game counts for nothing.
    const stranger = await signUp(t, { country: 'KR' });
    await tx.run((x) =>
      publish(x, 'library.added', { userId: stranger.me.id, gameId: games.s4!, orderId: 'stranger', source: 'purchase' }, t.clock.now()),
    );
    await t.store.events.caughtUp();
    const recs = (await me.client.get('/api/recommendations?limit=5')).body;
    expect(recs[0]).toMatchObject({ game: { id: games.f3 }, reason: { kind: 'friends_play', friends: 2 } });
    expect(recs.filter((r: { reason: { kind: string } }) => r.reason.kind === 'friends_play')).toHaveLength(1);
  });

  it('R9 a player’s verdict outweighs their hours: a game reviewed as not recommended stops driving their list', async () => {
    const { client } = await signUp(t, { country: 'KR' });
    for (const [g, minutes] of [
      ['s1', 600],
      ['f1', 60],
    ] as const) {
      const placed = await client.post(
        '/api/orders',
        { gameId: games[g], pointsToUse: 0, paymentMethod: 'card' },
        { 'idempotency-key': randomBytes(8).toString('hex') },
      );
      expect((await settle(client, placed.body.id)).status).toBe('paid');
      const s = await client.post('/api/play/sessions', { gameId: games[g] });
      for (let m = 0; m < minutes; m += 4) {
        t.clock.advance(4 * 60_000);
        await client.post(`/api/play/sessions/${s.body.id}/heartbeat`);
      }
      await client.post(`/api/play/sessions/${s.body.id}/stop`);
    }
    await t.store.events.caughtUp();
    await t.store.recommendations.trainNow();
    const kind = async () => named((await client.get('/api/recommendations?limit=1')).body[0].game.id)?.[0];
    expect(await kind()).toBe('s'); // ten hours of the shooter
    expect((await client.put(`/api/games/${games.s1}/reviews/mine`, { recommended: false, body: 'Got bored of it.' })).status).toBe(200);
    await t.store.events.caughtUp();
    await t.store.recommendations.trainNow();
    expect(await kind()).toBe('f');
  });

  it('R8 the discovery queue steps past seen games for a week and never shows a game the player is not interested in again', async () => {
    const { client } = await signUp(t, { country: 'KR' });
    expect((await client.put('/api/me/genres', { genres: ['Simulation'] })).status).toBe(200);
    const first = (await client.get('/api/discovery-queue')).body;
    expect(first.length).toBeGreaterThan(4);
    const [a, b] = first.map((r: { game: { id: string } }) => r.game.id);
    expect((await client.post(`/api/discovery-queue/${a}`, { mark: 'seen' })).status).toBe(204);
    expect((await client.post(`/api/discovery-queue/${b}`, { mark: 'not_interested' })).status).toBe(204);
    expect((await client.post(`/api/discovery-queue/${b}`, { mark: 'seen' })).status).toBe(204); // stays "not interested"
    expect((await client.post(`/api/discovery-queue/${randomBytes(4).toString('hex')}`, { mark: 'seen' })).status).toBe(404);
    const queue = async () => (await client.get('/api/discovery-queue')).body.map((r: { game: { id: string } }) => r.game.id);
    const recs = async () => (await client.get('/api/recommendations?limit=20')).body.map((r: { game: { id: string } }) => r.game.id);
    expect(await queue()).not.toContain(a);
    expect(await queue()).not.toContain(b);
    expect(await recs()).toContain(a); // seen in the queue is still a recommendation
    expect(await recs()).not.toContain(b);
    t.clock.advance(8 * 86_400_000);
    expect(await queue()).toContain(a);
    expect(await queue()).not.toContain(b);
    expect((await new Client(t.url).get('/api/discovery-queue')).status).toBe(401);
  });

  it('R8 the console shows the trained models with their offline metrics; only operators may train', async () => {
    // The scheduled training may be running right now (the clock moved a week above): wait for the newest to finish.
    const models = await vi.waitFor(async () => {
      const r = await op.get('/api/operator/recommendations/models');
      expect(r.status).toBe(200);
      expect(r.body[0].status).toBe('done');
      return r;
    });
    expect(models.body[0]).toMatchObject({ status: 'done', users: expect.any(Number), games: 9 });
    expect(models.body[0].metrics).toMatchObject({
      ndcg10: expect.any(Number),
      hr10: expect.any(Number),
      popularityNdcg10: expect.any(Number),
    });
    const { client } = await signUp(t);
    expect((await client.post('/api/operator/recommendations/train')).status).toBe(403);
  });

  it('R8 R12 a game bought a moment ago is never recommended, even while the event log is behind (the library decides, not the projection)', async () => {
    const { client } = await signUp(t, { country: 'KR', language: 'en' });
    await t.store.recommendations.trainNow();
    const before = ids((await client.get('/api/recommendations?limit=20')).body);
    const target = before.find((id: string) => id !== games.jp)!;
    expect(target).toBeTruthy();
    // The projection stops (a long transaction elsewhere in the cluster holds the log's horizon back the same way).
    await t.store.events.stop();
    try {
      const placed = await client.post(
        '/api/orders',
        { gameId: target, pointsToUse: 0, paymentMethod: 'card' },
        { 'idempotency-key': randomBytes(8).toString('hex') },
      );
      expect((await settle(client, placed.body.id)).status).toBe('paid');
      expect(ids((await client.get('/api/recommendations?limit=20')).body)).not.toContain(target);
      const other = before.find((id: string) => id !== target && id !== games.jp)!;
      expect(((await client.get(`/api/games/${other}/similar`)).body as { id: string }[]).map((g) => g.id)).not.toContain(target);
    } finally {
      t.store.events.start();
    }
  });
});
