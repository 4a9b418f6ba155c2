import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { awaitingApproval, decideAtPg, invariantsHold, pointsBecome, settle } from '../../test/checkout.ts';
import { instantToZoned } from '../platform/zoned-time.ts';
import { allocate } from './cart.ts';

let t: TestStore;
let op: Client;
const NOW = '2026-12-10T03:00:00Z';

beforeAll(async () => {
  t = await startTestStore({ now: NOW, durable: true });
  op = await signInOperator(t);
});
afterAll(() => t?.close());

const key = () => ({ 'idempotency-key': `key-${randomBytes(8).toString('hex')}` });
let n = 0;
async function newGame(krw: number, over: Parameters<typeof gameInput>[0] = {}): Promise<string> {
  const g = await op.post(
    '/api/operator/games',
    gameInput({
      slug: `cart-game-${++n}-${randomBytes(3).toString('hex')}`,
      title: { en: `Cart Game ${n}`, ko: `장바구니 게임 ${n}` },
      releaseDate: '2026-10-01',
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard' },
          prices: [
            { country: 'KR', currency: 'KRW', amountMinor: krw },
            { country: '*', currency: 'USD', amountMinor: 2000 },
          ],
        },
      ],
      ...over,
    }),
  );
  expect(g.status).toBe(201);
  return g.body.id;
}
/** A bundle: each of these games 15 % off when bought with (or owning) at least `minItems` of them. */
async function bundle(games: string[], budget: number | null = null) {
  const p = await op.post('/api/operator/promotions', {
    name: 'Buy 2, 15 % off each',
    effect: { kind: 'bundle', games, minItems: 2, percent: 15 },
    ...(budget ? { budget } : {}),
    stacking: 'best',
    timeZone: 'UTC',
    startsAt: instantToZoned(new Date(t.clock.now().getTime() - 3_600_000), 'UTC'),
  });
  expect(p.status).toBe(201);
  // Live on this node within 2 s (LISTEN/NOTIFY).
  await vi.waitFor(
    async () => {
      const g = await new Client(t.url).get(`/api/games/${games[0]}`);
      expect(g.status).toBe(200);
    },
    { timeout: 2_000, interval: 50 },
  );
  return p.body.id as string;
}
async function korean(points = 0) {
  const u = await signUp(t, { country: 'KR', language: 'ko' });
  if (points) await t.store.points.earn(u.me.id, 'KRW', points, `grant:${u.me.id}`);
  return u;
}
async function settleCheckout(c: Client, id: string) {
  return vi.waitFor(
    async () => {
      const v = await c.get(`/api/checkouts/${id}`);
      if (v.body.status === 'pending') throw new Error(`checkout ${id} is still pending`);
      return v.body;
    },
    { timeout: 30_000, interval: 50 },
  );
}

describe('the cart: several games, one payment (R5)', () => {
  it('R5 allocate splits points over prices in proportion, never more than a price, summing exactly', () => {
    expect(allocate(1000, [25500, 17000])).toEqual([600, 400]);
    expect(allocate(7, [1, 1, 100])).toEqual([0, 0, 7]);
    expect(allocate(102, [1, 1, 100])).toEqual([1, 1, 100]);
    expect(allocate(0, [5, 5])).toEqual([0, 0]);
    for (const [points, prices] of [
      [999, [333, 333, 334]],
      [1, [0, 5]],
      [50, [7, 13, 30]],
    ] as const) {
      const s = allocate(points, prices);
      expect(s.reduce((a, b) => a + b, 0)).toBe(points);
      s.forEach((x, i) => expect(x).toBeLessThanOrEqual(prices[i]!));
    }
  });

  it('R5 S1.5 S1.9 a bundle "buy 2, 15 % off each" bought as one purchase: one payment of the total, one order per game, one receipt', async () => {
    const [g1, g2] = [await newGame(30000), await newGame(20000)];
    await bundle([g1, g2]);
    const { client, email } = await korean(1000);

    // Alone, neither game is discounted: the bundle needs both.
    expect((await client.get(`/api/checkout?gameId=${g1}`)).body.price).toEqual({ amountMinor: 30000, currency: 'KRW' });
    expect((await client.put(`/api/cart/items/${g1}`, {})).status).toBe(200);
    const one = await client.get('/api/cart');
    expect(one.body.items.map((l: { price: unknown }) => l.price)).toEqual([{ amountMinor: 30000, currency: 'KRW' }]);

    // Together, both are 15 % off.
    expect((await client.put(`/api/cart/items/${g2}`, {})).status).toBe(200);
    const cart = await client.get('/api/cart');
    expect(cart.body).toMatchObject({
      listTotal: { amountMinor: 50000, currency: 'KRW' },
      total: { amountMinor: 25500 + 17000, currency: 'KRW' },
      savings: { amountMinor: 4500 + 3000, currency: 'KRW' },
      points: { balance: 1000, usable: 1000 },
      unavailable: [],
    });
    expect(cart.body.items.map((l: { gameId: string; discountPercent: number }) => [l.gameId, l.discountPercent])).toEqual([
      [g1, 15],
      [g2, 15],
    ]);

    const capturedBefore = t.paysim.totals().KRW?.capturedMinor ?? 0;
    const paymentsBefore = t.paysim.payments.size;
    const placed = await client.post(
      '/api/cart/checkout',
      {
        pointsToUse: 1000,
        paymentMethod: 'card',
        games: [g1, g2],
        quoteTokens: Object.fromEntries(cart.body.items.map((l: { gameId: string; quoteToken: string }) => [l.gameId, l.quoteToken])),
      },
      key(),
    );
    expect(placed.status).toBe(202);
    const done = await settleCheckout(client, placed.body.id);
    expect(done).toMatchObject({
      status: 'paid',
      total: { amountMinor: 42500, currency: 'KRW' },
      pointsUsed: 1000,
      paid: { amountMinor: 41500, currency: 'KRW' },
      failure: null,
    });
    // One order per game, each with its share of the points and of the payment.
    expect(
      done.orders.map((o: { gameId: string; price: { amountMinor: number }; pointsUsed: number; paid: { amountMinor: number } }) => [
        o.gameId,
        o.price.amountMinor,
        o.pointsUsed,
        o.paid.amountMinor,
      ]),
    ).toEqual([
      [g1, 25500, 600, 24900],
      [g2, 17000, 400, 16600],
    ]);
    // One payment at the PG for the total.
    expect(t.paysim.payments.size - paymentsBefore).toBe(1);
    expect(t.paysim.totals().KRW!.capturedMinor - capturedBefore).toBe(41500);
    // Both games in the library, the cart empty, points earned on each order.
    const library = (await client.get('/api/library')).body.map((e: { gameId: string }) => e.gameId);
    expect(library.sort()).toEqual([g1, g2].sort());
    expect((await client.get('/api/cart')).body.items).toEqual([]);
    const earned = done.orders.reduce((s: number, o: { pointsEarned: number }) => s + o.pointsEarned, 0);
    expect(earned).toBeGreaterThan(0);
    expect(await pointsBecome(client, earned)).toBe(earned);
    // One receipt naming both games, in Korean.
    await vi.waitFor(() => expect(t.mailbox.to(email).length).toBe(1), { timeout: 5_000, interval: 50 });
    const [mail] = t.mailbox.to(email);
    expect(mail!.subject).toContain('구매 완료');
    expect(mail!.subject).toContain(`장바구니 게임`);
    expect(mail!.text).toContain('41,500');
    // The cart is empty now: buying it again is refused, nothing charged.
    const again = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g1, g2] }, key());
    expect(again.body.error.code).toBe('cart_empty');
    await invariantsHold(t);
  });

  it('R5 S1.12 one game of a cart is refunded on its own: its share of the payment, at the PG; the reconciliation agrees', async () => {
    const [g1, g2] = [await newGame(30000), await newGame(20000)];
    await bundle([g1, g2]);
    const { client } = await korean();
    await client.put(`/api/cart/items/${g1}`, {});
    await client.put(`/api/cart/items/${g2}`, {});
    const k = key();
    const placed = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g2, g1] }, k);
    expect(placed.status).toBe(202);
    // The same Idempotency-Key again: the same checkout, nothing charged twice.
    const again = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g2, g1] }, k);
    expect(again.body.id).toBe(placed.body.id);
    const done = await settleCheckout(client, placed.body.id);
    expect(done.status).toBe('paid');
    const second = done.orders.find((o: { gameId: string }) => o.gameId === g2);
    const refundedBefore = t.paysim.totals().KRW!.refundedMinor;
    const refunded = await client.post(`/api/orders/${second.id}/refund`, {});
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ status: 'refunded', refunded: { amountMinor: 17000, currency: 'KRW' } });
    expect(t.paysim.totals().KRW!.refundedMinor - refundedBefore).toBe(17000);
    const library = (await client.get('/api/library')).body.map((e: { gameId: string }) => e.gameId);
    expect(library).toEqual([g1]);
    // The checkout stays paid (its other game is), the PG holds the rest, and reconciliation finds nothing to repair.
    expect((await client.get(`/api/checkouts/${placed.body.id}`)).body.status).toBe('paid');
    const r = await t.store.reconciler.runOnce(t.clock.now());
    expect(r).toMatchObject({ refunded: 0, mismatches: 0 });
    await invariantsHold(t);
  });

  it('R5 S1.9 a declined cart payment cancels every order, gives the points and the bundle’s budget back, and keeps the cart', async () => {
    const [g1, g2] = [await newGame(30000), await newGame(20000)];
    // Two discounted copies in all: the declined checkout counts both, and must give both back.
    await bundle([g1, g2], 2);
    const { client } = await korean(1000);
    await client.put(`/api/cart/items/${g1}`, {});
    await client.put(`/api/cart/items/${g2}`, {});
    t.faults.next = 'decline';
    let done;
    try {
      const placed = await client.post('/api/cart/checkout', { pointsToUse: 1000, paymentMethod: 'card', games: [g1, g2] }, key());
      expect(placed.status).toBe(202);
      done = await settleCheckout(client, placed.body.id);
    } finally {
      t.faults.next = undefined;
    }
    expect(done).toMatchObject({ status: 'cancelled', failure: { code: 'payment_declined' } });
    expect(done.orders.map((o: { status: string }) => o.status)).toEqual(['cancelled', 'cancelled']);
    expect(await pointsBecome(client, 1000)).toBe(1000);
    expect((await client.get('/api/library')).body).toEqual([]);
    expect((await client.get('/api/cart')).body.items.map((l: { gameId: string }) => l.gameId)).toEqual([g1, g2]);
    // The budget was given back: paying again gets the bundle price for both.
    const retry = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g1, g2] }, key());
    expect(await settleCheckout(client, retry.body.id)).toMatchObject({ status: 'paid', paid: { amountMinor: 25500 + 17000 } });
    await invariantsHold(t);

    // Someone charges the declined checkout's reference at the PG directly: the reconciliation finds that none of its
    // orders is live, refunds the capture and reports it; the paid checkout's payment is left alone.
    const r = await fetch(`${t.paysimUrl}/v1/payments`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', 'idempotency-key': key()['idempotency-key'] },
      body: JSON.stringify({ orderRef: done.id, method: 'card', amountMinor: 42500, currency: 'KRW' }),
    });
    const direct = (await r.json()) as { id: string; status: string };
    expect(direct.status).toBe('captured');
    const result = await t.store.reconciler.runOnce(t.clock.now());
    expect(result).toMatchObject({ refunded: 1, mismatches: 0 });
    expect(t.paysim.payments.get(direct.id)).toMatchObject({ refundedMinor: 42500 });
    await invariantsHold(t);
  });

  it('R5 S1.9 a declined order that used the last discounted copy gives it back: the next checkout gets the price again', async () => {
    const g = await newGame(30000);
    const sale = await op.post('/api/operator/promotions', {
      name: 'One copy at 10 % off',
      effect: { kind: 'percent_off', percent: 10 },
      targets: { games: [g] },
      stacking: 'best',
      timeZone: 'UTC',
      startsAt: instantToZoned(new Date(t.clock.now().getTime() - 3_600_000), 'UTC'),
      budget: 1,
    });
    expect(sale.status).toBe(201);
    const { client } = await korean();
    await vi.waitFor(async () => expect((await client.get(`/api/checkout?gameId=${g}`)).body.price.amountMinor).toBe(27000), {
      timeout: 2_000,
      interval: 50,
    });
    t.faults.next = 'decline';
    try {
      const placed = await client.post('/api/orders', { gameId: g, pointsToUse: 0, paymentMethod: 'card' }, key());
      expect(await settle(client, placed.body.id)).toMatchObject({ status: 'cancelled', price: { amountMinor: 27000 } });
    } finally {
      t.faults.next = undefined;
    }
    // On main before this fix the copy was counted back but every node kept the promotion as used up.
    await vi.waitFor(async () => expect((await client.get(`/api/checkout?gameId=${g}`)).body.price.amountMinor).toBe(27000), {
      timeout: 2_000,
      interval: 50,
    });
  });

  it('R5 D4 a single-use coupon in a cart discounts one game (one use per checkout), and the cart is bought', async () => {
    const [g1, g2] = [await newGame(30000), await newGame(20000)];
    const code = `ONCE-${randomBytes(3).toString('hex').toUpperCase()}`;
    const promo = await op.post('/api/operator/promotions', {
      name: 'Members 20 %',
      effect: { kind: 'percent_off', percent: 20 },
      targets: { games: [g1, g2] },
      stacking: 'best',
      timeZone: 'UTC',
      startsAt: instantToZoned(new Date(t.clock.now().getTime() - 3_600_000), 'UTC'),
      coupon: { codes: [code], maxUses: 1 },
    });
    expect(promo.status).toBe(201);
    const { client } = await korean();
    await client.put(`/api/cart/items/${g1}`, {});
    await client.put(`/api/cart/items/${g2}`, {});
    const cart = await vi.waitFor(
      async () => {
        const c = (await client.get(`/api/cart?coupon=${code}`)).body;
        expect(c.coupon).toEqual({ code, status: 'applied' });
        return c;
      },
      { timeout: 2_000, interval: 50 },
    );
    // The first game takes the coupon; the second is at its list price.
    expect(cart.items.map((l: { price: { amountMinor: number } }) => l.price.amountMinor)).toEqual([24000, 20000]);
    const placed = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g1, g2], coupon: code }, key());
    expect(placed.status).toBe(202);
    expect(await settleCheckout(client, placed.body.id)).toMatchObject({ status: 'paid', paid: { amountMinor: 44000 } });
    expect((await op.get(`/api/operator/promotions/${promo.body.id}`)).body.coupons).toEqual([expect.objectContaining({ code, uses: 1 })]);
    await invariantsHold(t);
  });

  it('R5 the bundle price of a cart is not a price for one game alone, and a cart that changed or holds an owned game buys nothing', async () => {
    const [g1, g2, g3] = [await newGame(30000), await newGame(20000), await newGame(10000)];
    await bundle([g1, g2]);
    const { client } = await korean();
    await client.put(`/api/cart/items/${g1}`, {});
    await client.put(`/api/cart/items/${g2}`, {});
    const cart = (await client.get('/api/cart')).body;
    const token = cart.items.find((l: { gameId: string }) => l.gameId === g1).quoteToken;
    // The cart's quote token for g1 (25,500 with g2) does not buy g1 alone at that price.
    const alone = await client.post('/api/orders', { gameId: g1, pointsToUse: 0, paymentMethod: 'card', quoteToken: token }, key());
    expect(alone.status).toBe(202);
    expect((await settle(client, alone.body.id)).price).toEqual({ amountMinor: 30000, currency: 'KRW' });

    // g1 is owned now: the cart shows it as unavailable, and its checkout is refused with the reason.
    const view = (await client.get('/api/cart')).body;
    expect(view.items.map((l: { gameId: string }) => l.gameId)).toEqual([g2]);
    expect(view.unavailable).toMatchObject([{ gameId: g1, code: 'already_owned' }]);
    const refused = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g1, g2] }, key());
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('cart_unavailable');
    expect(refused.body.error.message).toContain('장바구니에서 빼면');
    // A game added in another tab since the cart was shown: nothing is bought.
    await client.put(`/api/cart/items/${g3}`, {});
    await client.delete(`/api/cart/items/${g1}`);
    const changed = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g2] }, key());
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('cart_changed');
    // Adding an owned game is refused; an unknown one is a 404; an empty cart cannot be checked out.
    expect((await client.put(`/api/cart/items/${g1}`, {})).body.error.code).toBe('already_owned');
    expect((await client.put(`/api/cart/items/00000000-0000-4000-8000-000000000000`, {})).status).toBe(404);
    await client.delete(`/api/cart/items/${g2}`);
    await client.delete(`/api/cart/items/${g3}`);
    const empty = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [g2] }, key());
    expect(empty.body.error.code).toBe('cart_empty');
  });

  it('R5 R12 a cart mixing currencies is refused with the way out; a game not sold in the country cannot be added', async () => {
    const krw = await newGame(10000);
    const usdOnly = await newGame(0, {
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1500 }] }],
    });
    const notInKr = await newGame(10000, {
      regions: { sale: { mode: 'only', countries: ['JP'] }, play: { mode: 'everywhere', countries: [] } },
    });
    const { client } = await korean();
    expect((await client.put(`/api/cart/items/${krw}`, {})).status).toBe(200);
    expect((await client.put(`/api/cart/items/${usdOnly}`, {})).status).toBe(200);
    const cart = (await client.get('/api/cart')).body;
    expect(cart.currencies.sort()).toEqual(['KRW', 'USD']);
    expect(cart.total).toBeNull();
    const mixed = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'card', games: [krw, usdOnly] }, key());
    expect(mixed.status).toBe(409);
    expect(mixed.body.error.code).toBe('cart_currencies');
    const locked = await client.put(`/api/cart/items/${notInKr}`, {});
    expect(locked.status).toBe(403);
    expect(locked.body.error.code).toBe('not_sold_in_country');
  });

  it('R5 S1.7 a cart paid with a wallet waits for the buyer’s approval on the provider page, then every game is paid', async () => {
    const [g1, g2] = [await newGame(30000), await newGame(20000)];
    const { client } = await korean();
    await client.put(`/api/cart/items/${g1}`, {});
    await client.put(`/api/cart/items/${g2}`, {});
    const placed = await client.post('/api/cart/checkout', { pointsToUse: 0, paymentMethod: 'kakaopay', games: [g1, g2] }, key());
    const pending = await awaitingApproval(client, `/api/checkouts/${placed.body.id}`);
    expect(pending.status).toBe('pending');
    const approve = await decideAtPg(pending.approvalUrl);
    expect(approve.status).toBe(303);
    expect(approve.headers.get('location')).toContain(`/checkouts/${placed.body.id}`);
    const done = await settleCheckout(client, placed.body.id);
    expect(done).toMatchObject({ status: 'paid', paid: { amountMinor: 50000 } });
    expect(done.orders.map((o: { status: string }) => o.status)).toEqual(['paid', 'paid']);
    // Somebody else cannot see it.
    const other = await korean();
    expect((await other.client.get(`/api/checkouts/${placed.body.id}`)).status).toBe(404);
    await invariantsHold(t);
  });
});
