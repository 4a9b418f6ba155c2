import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { secondNode, type StoreProcess } from '../../test/store-process.ts';
import { freePort } from '../../test/ports.ts';
import { settle } from '../../test/checkout.ts';
import { kyselyFor } from '../platform/db/database.ts';
import { asTx } from '../platform/db/tx.ts';
import { instantToZoned } from '../platform/zoned-time.ts';
import { PromotionStore, type PromotionTables } from './store.ts';
import { LivePromotions } from './live.ts';

const NOW = '2026-12-10T03:00:00Z';
let a: TestStore;
/** The other node: a second store process on the same database. */
let b: StoreProcess;
let bUrl: string;
let op: Awaited<ReturnType<typeof signInOperator>>;
let pool: pg.Pool;

const prices = [
  { country: 'KR', currency: 'KRW', amountMinor: 30000 },
  { country: '*', currency: 'USD', amountMinor: 2000 },
];
async function newGame(over: Parameters<typeof gameInput>[0] = {}): Promise<string> {
  const g = await op.post(
    '/api/operator/games',
    gameInput({ releaseDate: '2026-10-01', editions: [{ code: 'standard', name: { en: 'Standard' }, prices }], ...over }),
  );
  expect(g.status).toBe(201);
  return g.body.id;
}
/** "Now" on the store's clock as wall-clock time in a zone, shifted by some minutes. */
const local = (t: TestStore, minutes: number, zone = 'UTC') => instantToZoned(new Date(t.clock.now().getTime() + minutes * 60_000), zone);
const promo = (over: Record<string, unknown>) => ({
  name: 'Winter sale',
  effect: { kind: 'percent_off', percent: 20 },
  stacking: 'best',
  timeZone: 'UTC',
  startsAt: local(a, -60),
  ...over,
});
const key = () => ({ 'idempotency-key': randomBytes(8).toString('hex') });
const anon = (t: TestStore | string, country = 'US') => {
  const c = new Client(typeof t === 'string' ? t : t.url);
  c.cookies.set('store_country', country);
  return c;
};

beforeAll(async () => {
  a = await startTestStore({ now: NOW, durable: true });
  // A second node of the same store: its own process (DBOS runs one executor per process), same database and secret.
  const port = await freePort();
  bUrl = `http://127.0.0.1:${port}`;
  b = secondNode(a, port, { STORE_CLOCK: NOW });
  await b.start();
  op = await signInOperator(a);
  pool = new pg.Pool({ connectionString: a.databaseUrl, max: 25 });
});
afterAll(async () => {
  await pool?.end();
  await b?.kill();
  await a?.close();
});

describe('promotions go live without a redeploy (R5)', () => {
  it('R5 hot apply: a promotion created on one node is priced by the other within 2 s; ended, it is gone within 2 s', async () => {
    const gameId = await newGame();
    const before = await anon(bUrl).get(`/api/games/${gameId}`);
    expect(before.body.price).toEqual({ amountMinor: 2000, currency: 'USD' });
    expect(before.body.offer).toBeUndefined();

    const created = await op.post('/api/operator/promotions', promo({ targets: { games: [gameId] }, endsAt: local(a, 24 * 60) }));
    expect(created.status).toBe(201);
    const t0 = Date.now();
    await vi.waitFor(
      async () => {
        const g = await anon(bUrl).get(`/api/games/${gameId}`);
        expect(g.body.offer).toMatchObject({ listPrice: { amountMinor: 2000, currency: 'USD' }, percentOff: 20 });
        expect(g.body.price).toEqual({ amountMinor: 1600, currency: 'USD' });
        expect(g.body.offer.endsAt).toBe(created.body.endsAtUtc);
      },
      { timeout: 2000, interval: 10 },
    );
    const liveMs = Date.now() - t0;
    expect(liveMs).toBeLessThan(2000);

    const ended = await op.post(`/api/operator/promotions/${created.body.id}/end`);
    expect(ended.body.state).toBe('ended');
    const t1 = Date.now();
    await vi.waitFor(
      async () => {
        const g = await anon(bUrl).get(`/api/games/${gameId}`);
        expect(g.body.offer).toBeUndefined();
        expect(g.body.price.amountMinor).toBe(2000);
      },
      { timeout: 2000, interval: 10 },
    );
    expect(Date.now() - t1).toBeLessThan(2000);
    console.info(`R5 propagation to the other node: created ${liveMs} ms, ended ${Date.now() - t1} ms`);
  });

  it('R5 without LISTEN (a proxy that drops notifications) the version poll still applies a change', async () => {
    const live = new LivePromotions(new PromotionStore(kyselyFor<PromotionTables>(pool)), { pollMs: 100, timeoutMs: 2000 });
    await live.start();
    try {
      const v0 = live.rules.version;
      const gameId = await newGame();
      await op.post('/api/operator/promotions', promo({ name: 'Poll only', targets: { games: [gameId] } }));
      await vi.waitFor(() => expect(live.rules.rules.some((r) => r.name === 'Poll only')).toBe(true), { timeout: 2000, interval: 20 });
      expect(live.rules.version).toBeGreaterThan(v0);
      expect(live.health().listening).toBe(false);
    } finally {
      await live.stop();
    }
  });

  it('R5 isolation: with the promotions table locked, a change cannot be read; pricing and checkout go on with the last good rules', async () => {
    const gameId = await newGame();
    await op.post(
      '/api/operator/promotions',
      promo({ name: 'Locked sale', effect: { kind: 'percent_off', percent: 30 }, targets: { games: [gameId] } }),
    );
    await vi.waitFor(async () => expect((await anon(a).get(`/api/games/${gameId}`)).body.offer?.percentOff).toBe(30), { timeout: 2000 });

    const locker = new pg.Client({ connectionString: a.databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table promotions in access exclusive mode');
      // A change is announced that no node can read while the table is locked.
      await pool.query(`update promotion_state set version = version + 1`);
      await pool.query(`select pg_notify('promotions_changed', 'x')`);
      await vi.waitFor(() => expect(a.store.promotions.health().lastError).toMatch(/lock|timeout|cancel/i), {
        timeout: 6000,
        interval: 50,
      });

      const buyer = await signUp(a, { country: 'US' });
      const quote = await buyer.client.get(`/api/checkout?gameId=${gameId}`);
      expect(quote.status).toBe(200);
      expect(quote.body).toMatchObject({ price: { amountMinor: 1400, currency: 'USD' }, discountPercent: 30 });
      const placed = await buyer.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, key());
      const order = await settle(buyer.client, placed.body.id);
      expect(order).toMatchObject({ status: 'paid', price: { amountMinor: 1400 }, paid: { amountMinor: 1400 } });
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }
    await vi.waitFor(() => expect(a.store.promotions.health().lastError).toBeNull(), { timeout: 4000, interval: 50 });
  });
});

describe('the console (R5)', () => {
  it('R5 a rule that cannot be evaluated is refused at save time with a clear message; only operators may touch promotions', async () => {
    const gameId = await newGame();
    const cases: [Record<string, unknown>, string][] = [
      [{ timeZone: 'Mars/Olympus' }, 'unknown_time_zone'],
      [{ startsAt: '2026-12-20T10:00', endsAt: '2026-12-20T09:00' }, 'ends_before_start'],
      [{ targets: { games: [randomUUID()] } }, 'unknown_game'],
      [{ effect: { kind: 'amount_off', amounts: {} } }, 'amount_required'],
      [{ effect: { kind: 'amount_off', amounts: { XYZ: 100 } } }, 'unknown_currency'],
      [{ effect: { kind: 'fixed_price', prices: { ZZ: { amountMinor: 100, currency: 'USD' } } } }, 'unknown_country'],
      [{ effect: { kind: 'bundle', games: [gameId, gameId], minItems: 2, percent: 10 } }, 'duplicate_game'],
      [{ targets: { segment: {} } }, 'empty_segment'],
      [{ coupon: { maxUses: 1 } }, 'coupon_codes_required'],
    ];
    for (const [over, code] of cases) {
      const r = await op.post('/api/operator/promotions', promo(over));
      expect(r.status, code).toBe(400);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.message.length).toBeGreaterThan(20);
    }
    // Schema-level refusals too: a percent of 0, a misspelt field.
    expect((await op.post('/api/operator/promotions', promo({ effect: { kind: 'percent_off', percent: 0 } }))).status).toBe(400);
    expect((await op.post('/api/operator/promotions', promo({ stackign: 'best' }))).status).toBe(400);

    const player = await signUp(a);
    expect((await player.client.post('/api/operator/promotions', promo({}))).status).toBe(403);
    expect((await player.client.get('/api/operator/promotions')).status).toBe(403);
    expect((await new Client(a.url).get('/api/operator/promotions')).status).toBe(401);
  });

  it('R5 every change is audited (who, when, before/after); edits need the current version; pause, resume and end', async () => {
    const gameId = await newGame();
    const created = await op.post('/api/operator/promotions', promo({ name: 'Audit me', targets: { games: [gameId] } }));
    const id = created.body.id;
    expect(created.headers.get('etag')).toBe('"v1"');
    const edit = promo({ name: 'Audit me', effect: { kind: 'percent_off', percent: 35 }, targets: { games: [gameId] } });
    expect((await op.put(`/api/operator/promotions/${id}`, edit)).status).toBe(428);
    const stale = await op.put(`/api/operator/promotions/${id}`, edit, { 'if-match': '"v0"' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('edit_conflict');
    const edited = await op.put(`/api/operator/promotions/${id}`, edit, { 'if-match': '"v1"' });
    expect(edited.status).toBe(200);
    expect(edited.body.effect.percent).toBe(35);
    expect((await op.post(`/api/operator/promotions/${id}/pause`)).body.state).toBe('paused');
    await vi.waitFor(async () => expect((await anon(a).get(`/api/games/${gameId}`)).body.offer).toBeUndefined(), { timeout: 2000 });
    expect((await op.post(`/api/operator/promotions/${id}/resume`)).body.state).toBe('running');
    await vi.waitFor(async () => expect((await anon(a).get(`/api/games/${gameId}`)).body.offer?.percentOff).toBe(35), { timeout: 2000 });
    expect((await op.post(`/api/operator/promotions/${id}/end`)).body.state).toBe('ended');
    const again = await op.post(`/api/operator/promotions/${id}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('promotion_ended');

    const detail = await op.get(`/api/operator/promotions/${id}`);
    expect(detail.body.audit.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'pause', 'resume', 'end']);
    const opId = (await op.get('/api/me')).body.id;
    for (const e of detail.body.audit) expect(e.actorId).toBe(opId);
    const update = detail.body.audit[1];
    expect(update.before.effect.percent).toBe(20);
    expect(update.after.effect.percent).toBe(35);
    expect((await op.get('/api/operator/promotions')).body.some((p: { id: string }) => p.id === id)).toBe(true);
  });

  it('R5 preview: what game X costs in KR for this user at 20:00 Tokyo time, with a scheduled flash sale and a new-account offer', async () => {
    const gameId = await newGame({ genres: ['Puzzle'] });
    await op.post(
      '/api/operator/promotions',
      promo({
        name: 'Tokyo flash sale',
        timeZone: 'Asia/Tokyo',
        startsAt: '2026-12-10T20:00',
        endsAt: '2026-12-10T22:00',
        targets: { genres: ['Puzzle'], countries: ['KR', 'JP'] },
        effect: { kind: 'percent_off', percent: 50 },
        stacking: 'exclusive',
      }),
    );
    await op.post(
      '/api/operator/promotions',
      promo({
        name: 'Welcome',
        targets: { games: [gameId], segment: { newAccountDays: 7 } },
        effect: { kind: 'amount_off', amounts: { KRW: 3000 } },
        stacking: 'priority',
      }),
    );
    const user = await signUp(a, { country: 'KR' });
    const preview = (at: string, userId?: string) =>
      op.post('/api/operator/promotions/preview', { gameId, country: 'KR', at, timeZone: 'Asia/Tokyo', ...(userId ? { userId } : {}) });
    const before = await preview('2026-12-10T19:59', user.me.id);
    expect(before.body).toMatchObject({ at: '2026-12-10T10:59:00.000Z', listPrice: { amountMinor: 30000, currency: 'KRW' } });
    expect(before.body.applied.map((x: { name: string }) => x.name)).toEqual(['Welcome']);
    expect(before.body.price.amountMinor).toBe(27000);
    const during = await preview('2026-12-10T20:00', user.me.id);
    // 50 % alone (15,000) beats 3,000 off (27,000): the exclusive one applies alone.
    expect(during.body.applied.map((x: { name: string }) => x.name)).toEqual(['Tokyo flash sale']);
    expect(during.body).toMatchObject({ price: { amountMinor: 15000 }, percentOff: 50, endsAt: '2026-12-10T13:00:00.000Z' });
    const anonymous = await preview('2026-12-10T19:00');
    expect(anonymous.body.applied).toEqual([]);
    // A draft is priced beside the live ones before it is saved.
    const draft = await op.post('/api/operator/promotions/preview', {
      gameId,
      country: 'KR',
      draft: promo({ name: 'Draft', effect: { kind: 'fixed_price', prices: { KR: { amountMinor: 9900, currency: 'KRW' } } } }),
    });
    expect(draft.body.applied.map((x: { name: string }) => x.name)).toEqual(['Draft']);
    expect(draft.body.price.amountMinor).toBe(9900);
  });
});

describe('the price shown is the price charged (R5, S1.5)', () => {
  it('R5 S1.5 a quoted price is honoured at checkout within its window even if the promotion ended; a forged or expired quote is not', async () => {
    const gameId = await newGame();
    const sale = await op.post(
      '/api/operator/promotions',
      promo({ name: 'Ends soon', effect: { kind: 'percent_off', percent: 25 }, targets: { games: [gameId] } }),
    );
    const buyer = await signUp(a, { country: 'US' });
    await vi.waitFor(async () => expect((await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body.discountPercent).toBe(25), {
      timeout: 2000,
    });
    const quote = (await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body;
    expect(quote).toMatchObject({ price: { amountMinor: 1500 }, promotions: [{ name: 'Ends soon', off: { amountMinor: 500 } }] });
    expect(Date.parse(quote.quoteExpiresAt) - a.clock.now().getTime()).toBe(15 * 60_000);
    await op.post(`/api/operator/promotions/${sale.body.id}/end`);
    await vi.waitFor(async () => expect((await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body.discountPercent).toBe(0), {
      timeout: 2000,
    });

    // Forged: the body says 1 USD, the signature is the real one's.
    const [body, mac] = quote.quoteToken.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), price: { amountMinor: 100, currency: 'USD' } }),
    ).toString('base64url');
    const forged = await buyer.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', quoteToken: `${forgedBody}.${mac}` },
      key(),
    );
    expect((await settle(buyer.client, forged.body.id)).price.amountMinor).toBe(2000);
    await buyer.client.post(`/api/orders/${forged.body.id}/refund`);
    await settle(buyer.client, forged.body.id, (s) => s === 'refunded');

    // Another buyer's token is not this buyer's.
    const other = await signUp(a, { country: 'US' });
    const stolen = await other.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', quoteToken: quote.quoteToken },
      key(),
    );
    expect((await settle(other.client, stolen.body.id)).price.amountMinor).toBe(2000);

    // The genuine one, within its window: the promised price.
    const honoured = await buyer.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', quoteToken: quote.quoteToken },
      key(),
    );
    expect(await settle(buyer.client, honoured.body.id)).toMatchObject({
      status: 'paid',
      price: { amountMinor: 1500 },
      discount: { amountMinor: 500 },
      paid: { amountMinor: 1500 },
    });
  });

  it('R5 an expired quote token is not honoured', async () => {
    const gameId = await newGame();
    const sale = await op.post('/api/operator/promotions', promo({ name: 'Short', targets: { games: [gameId] } }));
    const buyer = await signUp(a, { country: 'US' });
    await vi.waitFor(async () => expect((await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body.discountPercent).toBe(20), {
      timeout: 2000,
    });
    const quote = (await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body;
    await op.post(`/api/operator/promotions/${sale.body.id}/end`);
    await vi.waitFor(async () => expect((await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body.discountPercent).toBe(0), {
      timeout: 2000,
    });
    a.clock.advance(16 * 60_000);
    const placed = await buyer.client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card', quoteToken: quote.quoteToken },
      key(),
    );
    expect((await settle(buyer.client, placed.body.id)).price.amountMinor).toBe(2000);
  });
});

describe('budgets and coupons are safe under concurrency (R5, D4)', () => {
  it('R5 D4 500 concurrent redemptions of a 100-use code: exactly 100 succeed; of a 100-copy budget: exactly 100', async () => {
    const gameId = await newGame();
    const coupon = await op.post(
      '/api/operator/promotions',
      promo({ name: 'Race coupon', targets: { games: [gameId] }, coupon: { codes: ['RACE-100'], maxUses: 100 } }),
    );
    const budget = await op.post('/api/operator/promotions', promo({ name: 'Race budget', targets: { games: [gameId] }, budget: 100 }));
    const db = kyselyFor<PromotionTables>(pool);
    const store = new PromotionStore(db);
    const race = (p: { id: string; budget: number | null; couponCode?: string }) =>
      Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          db
            .transaction()
            .execute(async (trx) => {
              const refused = await store.redeem(asTx(trx), { orderId: randomUUID(), userId: `u${i}`, at: new Date(), promotions: [p] });
              if (refused) throw new Error(refused.reason);
            })
            .then(
              () => 'ok',
              (e: Error) => e.message,
            ),
        ),
      );
    const c = await race({ id: coupon.body.id, budget: null, couponCode: 'RACE-100' });
    expect(c.filter((x) => x === 'ok').length).toBe(100);
    expect(c.filter((x) => x === 'coupon_used_up').length).toBe(400);
    expect((await op.get(`/api/operator/promotions/${coupon.body.id}`)).body.coupons).toEqual([
      { code: 'RACE-100', maxUses: 100, uses: 100 },
    ]);
    const bu = await race({ id: budget.body.id, budget: 100 });
    expect(bu.filter((x) => x === 'ok').length).toBe(100);
    expect(bu.filter((x) => x === 'budget_used_up').length).toBe(400);
    expect((await op.get(`/api/operator/promotions/${budget.body.id}`)).body.used).toBe(100);
    const rows = await pool.query(
      'select promotion_id, count(*)::int as n from promotion_redemptions where promotion_id = any($1) group by 1',
      [[coupon.body.id, budget.body.id]],
    );
    expect(rows.rows.map((r) => r.n)).toEqual([100, 100]);
  });

  it('R5 S1.5 first 2 copies at half price, 5 buyers at once: 2 pay the sale price, 3 are refused before any charge; then the offer is gone everywhere', async () => {
    const gameId = await newGame();
    await op.post(
      '/api/operator/promotions',
      promo({ name: 'First two', effect: { kind: 'percent_off', percent: 50 }, targets: { games: [gameId] }, budget: 2 }),
    );
    const buyers = await Promise.all(Array.from({ length: 5 }, () => signUp(a, { country: 'US' })));
    await vi.waitFor(
      async () => expect((await buyers[0]!.client.get(`/api/checkout?gameId=${gameId}`)).body.price.amountMinor).toBe(1000),
      {
        timeout: 2000,
      },
    );
    const quotes = await Promise.all(buyers.map((u) => u.client.get(`/api/checkout?gameId=${gameId}`)));
    const placed = await Promise.all(
      buyers.map((u, i) =>
        u.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card', quoteToken: quotes[i]!.body.quoteToken }, key()),
      ),
    );
    const outcomes = await Promise.all(buyers.map((u, i) => settle(u.client, placed[i]!.body.id)));
    const paid = outcomes.filter((o) => o.status === 'paid');
    expect(paid.length).toBe(2);
    for (const o of paid) expect(o.paid.amountMinor).toBe(1000);
    const refused = outcomes.filter((o) => o.status !== 'paid');
    expect(refused.map((o) => o.failure?.code)).toEqual(['promotion_sold_out', 'promotion_sold_out', 'promotion_sold_out']);
    // Nothing was charged for the refused ones.
    const charged = [...a.paysim.payments.values()].filter((p) => refused.some((o) => o.id === p.orderRef));
    expect(charged).toEqual([]);
    // Sold out: no node offers it any more.
    await vi.waitFor(
      async () => {
        expect((await anon(bUrl).get(`/api/games/${gameId}`)).body.offer).toBeUndefined();
        expect((await buyers[4]!.client.get(`/api/checkout?gameId=${gameId}`)).body.price.amountMinor).toBe(2000);
      },
      { timeout: 2000 },
    );
  });

  it('R5 S2.8 D4 a gift goes through the same checkout checks as a purchase: it counts against a budget, takes a coupon, and is honoured at its quoted price', async () => {
    const gameId = await newGame();
    const budget = await op.post(
      '/api/operator/promotions',
      promo({ name: 'First one', effect: { kind: 'percent_off', percent: 50 }, targets: { games: [gameId] }, budget: 1 }),
    );
    const [sender, friend, buyer] = await Promise.all([
      signUp(a, { country: 'US' }),
      signUp(a, { country: 'US' }),
      signUp(a, { country: 'US' }),
    ]);
    expect((await sender.client.post('/api/friends/requests', { userId: friend.me.id })).status).toBe(201);
    expect((await friend.client.post(`/api/friends/requests/${sender.me.id}/accept`)).status).toBe(204);
    /** Sends `friend` a gift of `gameId` and follows it until it is paid or refused: the gift as the sender sees it. */
    const giveAndSettle = async (gameId: string, extra: { coupon?: string; quoteToken?: string }) => {
      const sent = await sender.client.post(
        '/api/gifts',
        { gameId, recipientId: friend.me.id, message: '', pointsToUse: 0, paymentMethod: 'card', ...extra },
        key(),
      );
      expect(sent.status).toBe(202);
      return vi.waitFor(
        async () => {
          const g = (await sender.client.get(`/api/gifts/${sent.body.id}`)).body;
          expect(g.state).not.toBe('paying');
          return g;
        },
        { timeout: 10_000, interval: 50 },
      );
    };
    await vi.waitFor(
      async () => expect((await sender.client.get(`/api/checkout?gameId=${gameId}&action=gift`)).body.price.amountMinor).toBe(1000),
      {
        timeout: 2000,
      },
    );
    const quote = (await sender.client.get(`/api/checkout?gameId=${gameId}&action=gift`)).body;
    const gift = await giveAndSettle(gameId, { quoteToken: quote.quoteToken });
    expect(gift.payment.paid).toEqual({ amountMinor: 1000, currency: 'USD' });
    // The one discounted copy went to the gift: the budget counts it, and the next buyer pays the full price.
    expect((await op.get(`/api/operator/promotions/${budget.body.id}`)).body.used).toBe(1);
    await vi.waitFor(async () => expect((await buyer.client.get(`/api/checkout?gameId=${gameId}`)).body.price.amountMinor).toBe(2000), {
      timeout: 2000,
    });

    // A coupon on a gift: priced at checkout and counted when the gift is placed.
    const couponGame = await newGame();
    const coupon = await op.post(
      '/api/operator/promotions',
      promo({
        name: 'Gift coupon',
        effect: { kind: 'percent_off', percent: 40 },
        targets: { games: [couponGame] },
        coupon: { codes: ['GIFT-40'], maxUses: 1 },
      }),
    );
    await vi.waitFor(
      async () =>
        expect((await sender.client.get(`/api/checkout?gameId=${couponGame}&action=gift&coupon=GIFT-40`)).body.coupon?.status).toBe(
          'applied',
        ),
      { timeout: 2000 },
    );
    const withCoupon = await giveAndSettle(couponGame, { coupon: 'GIFT-40' });
    expect(withCoupon.payment.paid).toEqual({ amountMinor: 1200, currency: 'USD' });
    expect((await op.get(`/api/operator/promotions/${coupon.body.id}`)).body.coupons[0]).toMatchObject({ code: 'GIFT-40', uses: 1 });

    // The gift's quoted price is honoured after the sale ended meanwhile, as a purchase's is (S1.5).
    const saleGame = await newGame();
    const sale = await op.post(
      '/api/operator/promotions',
      promo({ name: 'Gift sale', effect: { kind: 'percent_off', percent: 30 }, targets: { games: [saleGame] } }),
    );
    await vi.waitFor(
      async () => expect((await sender.client.get(`/api/checkout?gameId=${saleGame}&action=gift`)).body.price.amountMinor).toBe(1400),
      { timeout: 2000 },
    );
    const saleQuote = (await sender.client.get(`/api/checkout?gameId=${saleGame}&action=gift`)).body;
    expect((await op.post(`/api/operator/promotions/${sale.body.id}/end`)).status).toBe(200);
    await vi.waitFor(
      async () => expect((await sender.client.get(`/api/checkout?gameId=${saleGame}&action=gift`)).body.price.amountMinor).toBe(2000),
      { timeout: 2000 },
    );
    const late = await giveAndSettle(saleGame, { quoteToken: saleQuote.quoteToken });
    expect(late.payment.paid).toEqual({ amountMinor: 1400, currency: 'USD' });
  });

  it('R5 a coupon code prices at checkout, is counted when the order is placed and given back when the order fails', async () => {
    const gameId = await newGame();
    await op.post(
      '/api/operator/promotions',
      promo({
        name: 'Coupon',
        effect: { kind: 'percent_off', percent: 40 },
        targets: { games: [gameId] },
        coupon: { codes: ['solo-1'], maxUses: 1 },
      }),
    );
    const u = await signUp(a, { country: 'US' });
    await vi.waitFor(
      async () => expect((await u.client.get(`/api/checkout?gameId=${gameId}&coupon=SOLO-1`)).body.coupon?.status).toBe('applied'),
      {
        timeout: 2000,
      },
    );
    expect((await u.client.get(`/api/checkout?gameId=${gameId}`)).body.price.amountMinor).toBe(2000);
    expect((await u.client.get(`/api/checkout?gameId=${gameId}&coupon=nope-0000`)).body.coupon).toEqual({
      code: 'NOPE-0000',
      status: 'unknown',
    });
    // The card is declined: the order is cancelled and the coupon's use comes back.
    a.faults.next = 'decline';
    const declined = await u.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card', coupon: 'solo-1' }, key());
    const failed = await settle(u.client, declined.body.id);
    a.faults.next = undefined;
    expect(failed.status).toBe('cancelled');
    expect((await u.client.get(`/api/checkout?gameId=${gameId}&coupon=solo-1`)).body.coupon.status).toBe('applied');
    const placed = await u.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card', coupon: 'solo-1' }, key());
    expect(await settle(u.client, placed.body.id)).toMatchObject({ status: 'paid', paid: { amountMinor: 1200 } });
    const other = await signUp(a, { country: 'US' });
    expect((await other.client.get(`/api/checkout?gameId=${gameId}&coupon=solo-1`)).body).toMatchObject({
      coupon: { status: 'used_up' },
      price: { amountMinor: 2000 },
    });
  });

  it('R5 editing a coupon promotion without sending its codes again keeps it coupon-only (the console edits other fields)', async () => {
    const gameId = await newGame();
    const created = await op.post(
      '/api/operator/promotions',
      promo({
        name: 'Members only',
        effect: { kind: 'percent_off', percent: 30 },
        targets: { games: [gameId] },
        coupon: { generate: 2, maxUses: 3 },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.coupons).toHaveLength(2);
    const edited = await op.put(
      `/api/operator/promotions/${created.body.id}`,
      promo({ name: 'Members only', effect: { kind: 'percent_off', percent: 35 }, targets: { games: [gameId] } }),
      { 'if-match': created.headers.get('etag')! },
    );
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ couponRequired: true, effect: { percent: 35 } });
    expect(edited.body.coupons).toHaveLength(2);
    const u = await signUp(a, { country: 'US' });
    const code = edited.body.coupons[0].code as string;
    await vi.waitFor(
      async () => expect((await u.client.get(`/api/checkout?gameId=${gameId}&coupon=${code}`)).body.price.amountMinor).toBe(1300),
      {
        timeout: 2000,
      },
    );
    // Without a code: the list price, as before the edit.
    expect((await u.client.get(`/api/checkout?gameId=${gameId}`)).body.price.amountMinor).toBe(2000);
  });
});

describe('the storefront shows what is on sale (R5)', () => {
  it('R5 the sale page lists what is discounted in the visitor country only; cards carry the list price, percent and end', async () => {
    const gameId = await newGame({ genres: ['Roguelike'] });
    await op.post(
      '/api/operator/promotions',
      promo({
        name: 'Korea roguelikes',
        targets: { genres: ['Roguelike'], countries: ['KR'] },
        endsAt: local(a, 120),
        effect: { kind: 'percent_off', percent: 10 },
      }),
    );
    await vi.waitFor(
      async () => {
        const kr = await anon(a, 'KR').get('/api/store/sale');
        const card = kr.body.items.find((c: { id: string }) => c.id === gameId);
        expect(card).toMatchObject({
          price: { amountMinor: 27000, currency: 'KRW' },
          offer: { listPrice: { amountMinor: 30000 }, percentOff: 10 },
        });
        expect(Date.parse(card.offer.endsAt) - a.clock.now().getTime()).toBe(120 * 60_000);
      },
      { timeout: 2000 },
    );
    const us = await anon(a, 'US').get('/api/store/sale');
    expect(us.body.items.some((c: { id: string }) => c.id === gameId)).toBe(false);
    const search = await anon(a, 'KR').get(`/api/games?genre=Roguelike`);
    expect(search.body.items.find((c: { id: string }) => c.id === gameId)?.offer?.percentOff).toBe(10);
  });
});
