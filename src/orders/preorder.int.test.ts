import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { awaitingApproval, decideAtPg, invariantsHold, pointsBecome, settle } from '../../test/checkout.ts';

let t: TestStore;
let op: Client;
let gameId: string;
const RELEASE = '2026-12-20';

beforeAll(async () => {
  t = await startTestStore({ now: '2026-11-24T09:00:00Z', durable: true });
  op = await signInOperator(t);
  const game = await op.post(
    '/api/operator/games',
    gameInput({
      slug: 'nebula-drift',
      title: { en: 'Nebula Drift', ko: '네뷸라 드리프트' },
      releaseDate: RELEASE,
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 5000 },
            { country: 'KR', currency: 'KRW', amountMinor: 60000 },
          ],
        },
      ],
      regions: { sale: { mode: 'only', countries: ['KR', 'JP', 'US'] }, play: { mode: 'everywhere', countries: [] } },
    }),
  );
  expect(game.status).toBe(201);
  gameId = game.body.id;
  expect((await op.put(`/api/operator/games/${gameId}/preorder-discount`, { percentOff: 10 })).status).toBe(200);
});
afterAll(() => t?.close());

const key = () => `key-${randomBytes(8).toString('hex')}`;
async function korean(points = 0) {
  const u = await signUp(t, { country: 'KR', language: 'ko' });
  if (points) await t.store.points.earn(u.me.id, 'KRW', points, `grant:${u.me.id}`);
  return u;
}
describe('scenario 1: pre-order, pay, refund, release day (S1.3–S1.16)', () => {
  it('S1.4 a resident of a country outside the service countries cannot pre-order', async () => {
    const { client } = await signUp(t, { country: 'DE' });
    const quote = await client.get(`/api/checkout?gameId=${gameId}`);
    expect(quote.status).toBe(403);
    expect(quote.body.error.code).toBe('not_sold_in_country');
    const order = await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key() });
    expect(order.status).toBe(403);
    expect(order.body.error.code).toBe('not_sold_in_country');
  });

  it('S1.5 S1.6 S1.7 S1.8 checkout shows the pre-order discount, the points and the payment methods of the country', async () => {
    const { client } = await korean(3000);
    const q = await client.get(`/api/checkout?gameId=${gameId}`);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({
      kind: 'preorder',
      listPrice: { amountMinor: 60000, currency: 'KRW' },
      discountPercent: 10,
      discount: { amountMinor: 6000 },
      price: { amountMinor: 54000, currency: 'KRW' },
      points: { balance: 3000, usable: 3000 },
    });
    expect(q.body.paymentMethods.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['kakaopay', 'naverpay', 'tosspay', 'card']),
    );
  });

  it('S1.3 S1.8 S1.9 S1.10 S1.11 a card pre-order with points completes: points credited, mail sent, refund button active', async () => {
    const { client, email, me } = await korean(3000);
    const placed = await client.post('/api/orders', { gameId, pointsToUse: 2000, paymentMethod: 'card' }, { 'idempotency-key': key() });
    expect(placed.status).toBe(202);
    const order = await settle(client, placed.body.id);
    expect(order).toMatchObject({
      status: 'paid',
      kind: 'preorder',
      price: { amountMinor: 54000 },
      pointsUsed: 2000,
      paid: { amountMinor: 52000, currency: 'KRW' },
      pointsEarned: 2600,
      refundable: true,
      downloadable: false,
    });
    expect(await pointsBecome(client, 3000 - 2000 + 2600)).toBe(3000 - 2000 + 2600);
    const list = await client.get('/api/orders');
    expect(list.body.map((o: { id: string; refundable: boolean }) => [o.id, o.refundable])).toEqual([[order.id, true]]);
    // The outbox delivery loop sends it over SMTP to the sink.
    await vi.waitFor(() => expect(t.mailbox.to(email).length).toBeGreaterThan(0), { timeout: 5_000, interval: 50 });
    const mails = t.mailbox.to(email);
    // In the buyer's language: Korean, with the Korean title.
    expect(mails.map((m) => m.subject)).toEqual(['예약 구매 완료: 네뷸라 드리프트']);
    expect(mails[0]!.text).toContain('적립 포인트: 2,600');
    expect(me.country).toBe('KR');
    await invariantsHold(t);
  });

  it('S1.7 S1.5 KakaoPay: the order waits for approval on the provider page, then completes', async () => {
    const { client } = await korean();
    const placed = await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'kakaopay' }, { 'idempotency-key': key() });
    const pending = await awaitingApproval(client, `/api/orders/${placed.body.id}`);
    expect(pending.status).toBe('pending');
    expect(pending.approvalUrl).toMatch(/\/approve\/pay_/);
    const approve = await decideAtPg(pending.approvalUrl);
    expect(approve.status).toBe(303);
    expect(approve.headers.get('location')).toContain(`/orders/${placed.body.id}`);
    expect(await settle(client, placed.body.id)).toMatchObject({ status: 'paid', paymentMethod: 'kakaopay', paid: { amountMinor: 54000 } });
    await invariantsHold(t);
  });

  it('S1.12 S1.13 S1.14 "Request refund" cancels the pre-order and the payment, returns used points and takes back earned ones', async () => {
    const { client } = await korean(5000);
    const placed = await client.post('/api/orders', { gameId, pointsToUse: 4000, paymentMethod: 'card' }, { 'idempotency-key': key() });
    const order = await settle(client, placed.body.id);
    expect(await pointsBecome(client, 1000 + order.pointsEarned)).toBe(1000 + order.pointsEarned);
    const preview = await client.get(`/api/orders/${order.id}/refund`);
    expect(preview.body).toMatchObject({
      refundable: true,
      refund: { amountMinor: 50000 },
      pointsReturned: 4000,
      pointsTakenBack: order.pointsEarned,
      pointsShortfall: 0,
    });
    const refunded = await client.post(`/api/orders/${order.id}/refund`);
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ status: 'refunded', refunded: { amountMinor: 50000 }, refundable: false });
    expect((await client.get('/api/orders')).body).toEqual([]);
    expect((await client.get('/api/orders?history=true')).body.map((o: { status: string }) => o.status)).toEqual(['refunded']);
    expect((await client.get('/api/points')).body.balance).toBe(5000);
    await invariantsHold(t);
  });

  it('S1.14 earned points already spent are kept back from the money refunded, as the preview says', async () => {
    const { client, me } = await korean();
    const first = await settle(
      client,
      (await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key() })).body.id,
    );
    expect(first.pointsEarned).toBe(2700);
    expect(await pointsBecome(client, 2700)).toBe(2700);
    await t.store.points.spend(me.id, 'KRW', 2000, `test:${me.id}:spend`);
    const preview = (await client.get(`/api/orders/${first.id}/refund`)).body;
    expect(preview).toMatchObject({ refund: { amountMinor: 54000 - 2000 }, pointsTakenBack: 700, pointsShortfall: 2000 });
    const refunded = await client.post(`/api/orders/${first.id}/refund`);
    expect(refunded.body.refunded).toEqual({ amountMinor: 52000, currency: 'KRW' });
    expect((await client.get('/api/points')).body.balance).toBe(0);
    await invariantsHold(t);
  });

  it('S1.12 D4 two refund requests at once refund once and both get the result', async () => {
    const { client } = await korean();
    const order = await settle(
      client,
      (await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key() })).body.id,
    );
    const before = t.paysim.totals().KRW!.refundedMinor;
    const [a, b] = await Promise.all([client.post(`/api/orders/${order.id}/refund`), client.post(`/api/orders/${order.id}/refund`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.status).toBe('refunded');
    expect(b.body.status).toBe('refunded');
    expect(t.paysim.totals().KRW!.refundedMinor - before).toBe(54000);
    const again = await client.post(`/api/orders/${order.id}/refund`);
    expect(again.body.status).toBe('refunded');
    await invariantsHold(t);
  });

  it('S1.7 S1.9 an order is followed with one long poll per change (ETag + Prefer: wait): the approval link, then paid — each answered when it happens, not at the time limit', async () => {
    const { client } = await korean();
    const placed = await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'kakaopay' }, { 'idempotency-key': key() });
    expect(placed.status).toBe(202);
    const url = `/api/orders/${placed.body.id}`;
    /** One long poll from the version the caller has. */
    const follow = async (etag: string, wait = 20) => {
      const t0 = performance.now();
      const r = await client.get(url, { 'if-none-match': etag, prefer: `wait=${wait}` });
      return { status: r.status, order: r.body, etag: r.headers.get('etag')!, ms: performance.now() - t0 };
    };
    let have = { order: placed.body, etag: placed.headers.get('etag')! };
    expect(have.etag).toMatch(/^"[\w-]+"$/);
    while (!have.order.approvalUrl) {
      // Pending without a link yet: the poll answers when the link appears (the order is still pending).
      const next = await follow(have.etag);
      expect(next.status).toBe(200);
      expect(next.ms).toBeLessThan(10_000);
      have = next;
    }
    expect(have.order.status).toBe('pending');
    // Nothing changes while the buyer has not approved: 304 after the wait, the same version.
    const idle = await follow(have.etag, 1);
    expect([idle.status, idle.etag, idle.ms >= 900]).toEqual([304, have.etag, true]);
    const pending = follow(have.etag);
    await fetch(have.order.approvalUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    const paid = await pending;
    expect(paid.status).toBe(200);
    expect(paid.order.status).toBe('paid');
    expect(paid.ms).toBeLessThan(10_000);
    // A version the caller does not have answers at once.
    expect((await follow('"stale"')).ms).toBeLessThan(1000);
    await invariantsHold(t);
  });

  it('S1.9 D4 a double click (same Idempotency-Key) places one order and charges once; a second order of an owned game is refused', async () => {
    const { client } = await korean();
    const k = key();
    const before = t.paysim.totals().KRW!.capturedMinor;
    const [a, b] = await Promise.all([
      client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': k }),
      client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': k }),
    ]);
    expect(a.body.id).toBe(b.body.id);
    await settle(client, a.body.id);
    expect(t.paysim.totals().KRW!.capturedMinor - before).toBe(54000);
    const again = await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key() });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_owned');
  });

  it('S1.9 a declined payment cancels the order and gives the points back; nothing is in the purchase list', async () => {
    const { client } = await korean(1000);
    t.faults.next = 'decline';
    try {
      const placed = await client.post('/api/orders', { gameId, pointsToUse: 1000, paymentMethod: 'card' }, { 'idempotency-key': key() });
      const order = await settle(client, placed.body.id);
      expect(order).toMatchObject({ status: 'cancelled', failure: { code: 'payment_declined' } });
    } finally {
      t.faults.next = undefined;
    }
    expect((await client.get('/api/points')).body.balance).toBe(1000);
    expect((await client.get('/api/orders')).body).toEqual([]);
    await invariantsHold(t);
  });

  it('S1.8 D4 concurrent checkouts spending the same points: one gets them, the others are cancelled and charge nothing', async () => {
    const op2 = await signInOperator(t);
    const extra: string[] = [];
    for (let i = 0; i < 3; i++)
      extra.push(
        (
          await op2.post(
            '/api/operator/games',
            gameInput({
              slug: `points-race-${i}`,
              editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: 'KR', currency: 'KRW', amountMinor: 10000 }] }],
            }),
          )
        ).body.id,
      );
    const { client } = await korean(1000);
    const capturedBefore = t.paysim.totals().KRW?.capturedMinor ?? 0;
    // 900 of 1,000 points each: what the winner earns back (5 % of 9,100) never lets a second one through.
    const placed = await Promise.all(
      extra.map((g) => client.post('/api/orders', { gameId: g, pointsToUse: 900, paymentMethod: 'card' }, { 'idempotency-key': key() })),
    );
    // Whichever way the race goes: refused at the check (the points were already spent by then) or accepted
    // and then cancelled by the saga's use-points step — exactly one order gets the points.
    const refused = placed.filter((p) => p.status === 409);
    expect(refused.every((p) => p.body.error.code === 'insufficient_points')).toBe(true);
    const accepted = placed.filter((p) => p.status === 202);
    const settled = await Promise.all(accepted.map((p) => settle(client, p.body.id)));
    const paid = settled.filter((o) => o.status === 'paid');
    expect(paid).toHaveLength(1);
    expect(
      settled.filter((o) => o.status !== 'paid').every((o) => o.status === 'cancelled' && o.failure.code === 'insufficient_points'),
    ).toBe(true);
    expect(refused.length + settled.length).toBe(3);
    expect(t.paysim.totals().KRW!.capturedMinor - capturedBefore).toBe(9100);
    expect(await pointsBecome(client, 100 + paid[0].pointsEarned)).toBe(100 + paid[0].pointsEarned);
    await invariantsHold(t);
  });

  it('S1.8 bad checkout requests are refused with codes: no key, a method of another country, too many points', async () => {
    const { client } = await korean(100);
    expect((await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' })).body.error.code).toBe(
      'idempotency_key_required',
    );
    expect(
      (await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'paypay' }, { 'idempotency-key': key() })).body.error.code,
    ).toBe('payment_method_not_offered');
    const tooMany = await client.post('/api/orders', { gameId, pointsToUse: 101, paymentMethod: 'card' }, { 'idempotency-key': key() });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe('insufficient_points');
    expect((await new Client(t.url).get(`/api/orders`)).status).toBe(401);
  });

  it('S1.15 S1.16 on the release day the game downloads with a signed expiring link and sells at its normal price', async () => {
    const { client } = await korean();
    const order = await settle(
      client,
      (await client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key() })).body.id,
    );
    const early = await client.post(`/api/library/${gameId}/download`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_released');

    t.clock.set(`${RELEASE}T00:00:05Z`);
    try {
      expect((await client.get(`/api/orders/${order.id}`)).body.downloadable).toBe(true);
      const link = await client.post(`/api/library/${gameId}/download`);
      expect(link.status).toBe(200);
      const file = await fetch(t.url + link.body.url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toContain('nebula-drift.bin');
      expect(await file.text()).toContain('game: Nebula Drift');
      for (const forged of [
        link.body.url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A')),
        link.body.url.replace('/api/downloads/', '/api/downloads/x'),
      ]) {
        expect((await fetch(t.url + forged)).status).toBe(403);
      }
      t.clock.set(`${RELEASE}T00:20:00Z`);
      expect((await fetch(t.url + link.body.url)).status).toBe(410);

      const { client: late } = await korean();
      expect((await late.get(`/api/checkout?gameId=${gameId}`)).body).toMatchObject({
        kind: 'purchase',
        discountPercent: 0,
        price: { amountMinor: 60000 },
      });
      const stranger = await korean();
      expect((await stranger.client.post(`/api/library/${gameId}/download`)).status).toBe(404);
    } finally {
      t.clock.set('2026-11-24T09:00:00Z');
    }
  });
});
