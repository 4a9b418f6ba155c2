import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from './harness.ts';
import { operations, request, type Op } from './openapi.ts';

/**
 * The access matrix (D2), generated from the OpenAPI document so that a new operation is covered the day it is
 * added: every operation × visitor / player / operator, and every operation on a player's own things called by
 * another player with the owner's real ids.
 */
let t: TestStore;
let ops: Op[];
let operator: Client;
type User = Awaited<ReturnType<typeof signUp>>;
let owner: User; // A: has an order, a sent gift, a notification
let friend: User; // C: A's friend, the gift's recipient
let intruder: User; // B: a signed-in stranger
const ids = { game: '', slug: '', edition: '', order: '', gift: '', notification: '', session: '', checkout: '' };

/** What anyone may call without signing in. */
const PUBLIC = new Set([
  'POST /api/accounts',
  'GET /api/auth-providers',
  'POST /api/tokens/refresh',
  'POST /api/tokens/revoke',
  'GET /api/downloads/{token}',
  'GET /api/store/home',
  'GET /api/store/sale',
  'GET /api/games/{id}/waiting-room',
  'GET /api/games/{id}/discussions',
  'GET /api/discussions/{id}',
  'GET /api/store/genres',
  'GET /api/games',
  'GET /api/games/{key}',
  'GET /api/games/suggest',
  'GET /api/games/{id}/quote',
  'GET /api/region',
  'GET /api/recommendations',
  'GET /api/games/{id}/similar',
  'GET /api/games/{id}/reviews',
  'GET /api/mail/unsubscribe/{token}',
  'POST /api/mail/unsubscribe/{token}',
  'GET /api/mail/release/{token}',
  'GET /api/share/{id}',
]);
/** Operations on one player's own things, by the path parameter that names the thing. */
const OWNED_TAGS = new Set(['orders', 'gifts', 'notifications', 'play']);

const uuid = (field: string) =>
  field === 'gameId'
    ? ids.game
    : field === 'editionId'
      ? ids.edition
      : field === 'recipientId' || field === 'userId'
        ? friend.me.id
        : crypto.randomUUID();
function param(o: Op) {
  return (name: string) => {
    if (name === 'key') return ids.slug;
    if (name === 'gameId') return ids.game;
    if (name === 'userId') return friend.me.id;
    if (name === 'token') return 'not-a-token';
    const tag = o.op.tags?.[0];
    if (name === 'id' && o.path.startsWith('/api/checkouts/')) return ids.checkout;
    if (name === 'id' && tag === 'orders') return ids.order;
    if (name === 'id' && tag === 'gifts') return ids.gift;
    if (name === 'id' && tag === 'notifications') return ids.notification;
    if (name === 'id' && tag === 'play') return ids.session;
    if (name === 'id' && o.path.startsWith('/api/operator/games')) return ids.game;
    return crypto.randomUUID();
  };
}
const call = (c: Client, o: Op) => {
  const { url, body } = request(o, param(o), uuid);
  return c.request(o.method, url, body, { 'idempotency-key': `access-${randomBytes(6).toString('hex')}` });
};
const name = (o: Op) => `${o.method} ${o.path}`;

beforeAll(async () => {
  t = await startTestStore({ now: '2026-11-24T09:00:00Z', durable: true });
  ops = await operations(t.url);
  operator = await signInOperator(t);
  const g = await operator.post(
    '/api/operator/games',
    gameInput({
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1500 }] }],
    }),
  );
  Object.assign(ids, { game: g.body.id, slug: g.body.slug, edition: g.body.editions[0].id });
  const gift = await operator.post(
    '/api/operator/games',
    gameInput({
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 900 }] }],
    }),
  );
  const carted = await operator.post(
    '/api/operator/games',
    gameInput({
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 700 }] }],
    }),
  );
  [owner, friend, intruder] = [
    await signUp(t, { name: 'Owner' }),
    await signUp(t, { name: 'Friend' }),
    await signUp(t, { name: 'Intruder' }),
  ];
  // The friend asks the owner (the owner gets a notification) and the owner accepts.
  expect((await friend.client.post('/api/friends/requests', { userId: owner.me.id })).status).toBe(201);
  expect((await owner.client.post(`/api/friends/requests/${friend.me.id}/accept`)).status).toBe(204);
  ids.notification = (await owner.client.get('/api/notifications')).body[0].id;
  ids.order = (
    await owner.client.post(
      '/api/orders',
      { gameId: ids.game, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': 'access-owner-order' },
    )
  ).body.id;
  ids.gift = (
    await owner.client.post(
      '/api/gifts',
      { gameId: gift.body.id, recipientId: friend.me.id, message: 'for you', pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': 'access-owner-gift' },
    )
  ).body.id;
  await vi.waitFor(
    async () => {
      expect((await owner.client.get(`/api/orders/${ids.order}`)).body.status).toBe('paid');
      expect((await friend.client.get(`/api/gifts/${ids.gift}`)).body.state).toBe('delivered');
    },
    { timeout: 20_000, interval: 100 },
  );
  // A cart bought by the owner: its checkout is theirs alone.
  expect((await owner.client.put(`/api/cart/items/${carted.body.id}`, {})).status).toBe(200);
  ids.checkout = (
    await owner.client.post(
      '/api/cart/checkout',
      { pointsToUse: 0, paymentMethod: 'card', games: [carted.body.id] },
      { 'idempotency-key': 'access-owner-cart' },
    )
  ).body.id;
  await vi.waitFor(async () => expect((await owner.client.get(`/api/checkouts/${ids.checkout}`)).body.status).toBe('paid'), {
    timeout: 20_000,
    interval: 100,
  });
  const session = await owner.client.post('/api/play/sessions', { gameId: ids.game });
  expect(session.status).toBe(201);
  ids.session = session.body.id;
}, 120_000);
afterAll(() => t?.close());

describe('the access matrix, from the OpenAPI document (D2)', () => {
  it('D2 every operation outside the storefront refuses a visitor with 401', async () => {
    const visitor = new Client(t.url);
    const wrong: string[] = [];
    const checked = ops.filter((o) => !PUBLIC.has(name(o)));
    for (const o of checked) {
      const r = await call(visitor, o);
      if (r.status !== 401) wrong.push(`${name(o)} → ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(checked.length).toBeGreaterThan(35);
  });

  it('D2 R7 every operator operation refuses a player with 403 and answers an operator with two-factor authentication', async () => {
    const wrong: string[] = [];
    const operatorOps = ops.filter((o) => o.path.startsWith('/api/operator/'));
    for (const o of operatorOps) {
      const asPlayer = await call(intruder.client, o);
      if (asPlayer.status !== 403 || asPlayer.body?.error?.code !== 'operator_only') wrong.push(`player: ${name(o)} → ${asPlayer.status}`);
      const asOperator = await call(operator, o);
      if ([401, 403].includes(asOperator.status) || asOperator.status >= 500)
        wrong.push(`operator: ${name(o)} → ${asOperator.status} ${JSON.stringify(asOperator.body).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(operatorOps.length).toBeGreaterThan(8);
  });

  it('D2 R9 a player can neither see nor change another player’s orders, gifts, notifications or play sessions: they do not exist for them', async () => {
    const owned = ops.filter((o) => OWNED_TAGS.has(o.op.tags?.[0] ?? '') && /\{id\}/.test(o.path));
    const wrong: string[] = [];
    for (const o of owned) {
      const r = await call(intruder.client, o);
      if (r.status !== 404) wrong.push(`${name(o)} → ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(owned.length).toBeGreaterThanOrEqual(10);
    // Nothing changed for the owner.
    expect((await owner.client.get(`/api/orders/${ids.order}`)).body.status).toBe('paid');
    expect((await owner.client.get(`/api/gifts/${ids.gift}`)).body.state).toBe('delivered');
    expect((await owner.client.get('/api/notifications')).body.find((n: { id: string }) => n.id === ids.notification).read).toBe(false);
    expect((await owner.client.post(`/api/play/sessions/${ids.session}/heartbeat`)).status).toBe(200);
    expect((await owner.client.get(`/api/checkouts/${ids.checkout}`)).body.status).toBe('paid');
  });
});
