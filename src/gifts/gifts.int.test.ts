import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { invariantsHold, pointsBecome, settle } from '../../test/checkout.ts';

let t: TestStore;
let op: Client;
let released: string; // out since October, sold in KR/JP/US, not playable in DE
let upcoming: string; // released 2026-12-20
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestStore({ now: '2026-11-24T09:00:00Z', durable: true });
  op = await signInOperator(t);
  const prices = [
    { country: '*', currency: 'USD', amountMinor: 2000 },
    { country: 'KR', currency: 'KRW', amountMinor: 30000 },
    { country: 'JP', currency: 'JPY', amountMinor: 3000 },
  ];
  const a = await op.post(
    '/api/operator/games',
    gameInput({
      slug: 'star-orchard',
      title: { en: 'Star Orchard' },
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices }],
      regions: { sale: { mode: 'only', countries: ['KR', 'JP', 'US'] }, play: { mode: 'except', countries: ['DE'] } },
    }),
  );
  expect(a.status).toBe(201);
  released = a.body.id;
  const b = await op.post(
    '/api/operator/games',
    gameInput({
      slug: 'nebula-gift',
      title: { en: 'Nebula Gift' },
      releaseDate: '2026-12-20',
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices }],
    }),
  );
  expect(b.status).toBe(201);
  upcoming = b.body.id;
});
afterAll(() => t?.close());

const key = () => `gift-${randomBytes(8).toString('hex')}`;
type User = Awaited<ReturnType<typeof signUp>>;

async function user(name: string, country = 'KR', extra: { points?: number; timeZone?: string } = {}): Promise<User> {
  const u = await signUp(t, {
    name: `${name} ${randomBytes(2).toString('hex')}`,
    country,
    language: 'en',
    ...(extra.timeZone ? { timeZone: extra.timeZone } : {}),
  });
  if (extra.points) await t.store.points.earn(u.me.id, u.me.currency, extra.points, `grant:${u.me.id}`);
  return u;
}

async function befriend(a: User, b: User) {
  expect((await a.client.post('/api/friends/requests', { userId: b.me.id })).status).toBe(201);
  expect((await b.client.post(`/api/friends/requests/${a.me.id}/accept`)).status).toBe(204);
}

/** Follows a gift (as `who` sees it) until `until` holds. */
async function giftBecomes(who: User, id: string, until: (g: any) => boolean) {
  return vi.waitFor(
    async () => {
      const g = (await who.client.get(`/api/gifts/${id}`)).body;
      if (!until(g)) throw new Error(`gift ${id} is ${JSON.stringify(g)}`);
      return g;
    },
    { timeout: 30_000, interval: 50 },
  );
}

async function mails(to: string, subject: RegExp, count = 1) {
  const matching = () => t.mailbox.to(to).filter((m) => subject.test(m.subject));
  await vi.waitFor(() => expect(matching().length).toBeGreaterThanOrEqual(count), { timeout: 5_000, interval: 50 }).catch(() => undefined);
  return matching();
}

async function send(from: User, body: Record<string, unknown>) {
  return from.client.post(
    '/api/gifts',
    { gameId: released, message: '', pointsToUse: 0, paymentMethod: 'card', ...body },
    { 'idempotency-key': key() },
  );
}

/** Sends a gift and waits until it is paid: scheduled, or delivered when its time has come. */
async function sent(from: User, body: Record<string, unknown>) {
  const r = await send(from, body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  // The first state after payment is the one a person sees: a gift sent now is never shown scheduled.
  const first = await giftBecomes(from, r.body.id, (g) => g.state !== 'paying');
  if (new Date(first.deliverAt) <= t.clock.now()) expect(first.state).not.toBe('scheduled');
  return first;
}

/** Moves the store's clock and lets the timers see it. */
function moveClock(ms: number) {
  t.clock.advance(ms);
  t.store.timers.kick();
}

describe('scenario 2: gifting (S2.1–S2.14)', () => {
  it('S2.3 S2.4 S2.5 R12 the recipient list holds approved friends only, without those who own the game or have it on its way, and says who cannot receive it where they live', async () => {
    const sender = await user('Sora');
    const friend = await user('Hana');
    const owner = await user('Jun');
    const stranger = await user('Stranger');
    const pendingFriend = await user('Asked');
    const german = await user('Lena', 'DE');
    await befriend(sender, friend);
    await befriend(sender, owner);
    await befriend(sender, german);
    expect((await sender.client.post('/api/friends/requests', { userId: pendingFriend.me.id })).status).toBe(201); // not approved yet
    // Jun already owns the game.
    const own = await owner.client.post(
      '/api/orders',
      { gameId: released, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expect((await settle(owner.client, own.body.id)).status).toBe('paid');

    const list = await sender.client.get(`/api/gifts/recipients?gameId=${released}`);
    expect(list.status).toBe(200);
    expect(list.body.recipients).toEqual([{ id: friend.me.id, name: friend.me.name, country: 'KR', timeZone: 'Asia/Seoul' }]);
    expect(list.body.unavailable).toEqual([
      { id: german.me.id, name: german.me.name, reason: 'not_playable_in_recipient_country', message: expect.stringContaining('Germany') },
    ]);
    expect(list.body.leftOut).toBe(1);
    const ids = JSON.stringify(list.body);
    expect(ids).not.toContain(stranger.me.id);
    expect(ids).not.toContain(pendingFriend.me.id);

    // Sending anyway is refused with the same reasons.
    expect((await send(sender, { recipientId: stranger.me.id })).body.error.code).toBe('not_a_friend');
    expect((await send(sender, { recipientId: pendingFriend.me.id })).status).toBe(403);
    expect((await send(sender, { recipientId: owner.me.id })).body.error).toMatchObject({ code: 'recipient_has_game' });
    const de = await send(sender, { recipientId: german.me.id });
    expect(de.status).toBe(403);
    expect(de.body.error.code).toBe('not_playable_in_recipient_country');

    // Once Hana has a gift of it on its way, she leaves the list too (S2.5), whoever would send the next one.
    await sent(sender, { recipientId: friend.me.id, deliverAt: new Date(t.clock.now().getTime() + 3 * DAY).toISOString() });
    expect((await sender.client.get(`/api/gifts/recipients?gameId=${released}`)).body).toMatchObject({ recipients: [], leftOut: 2 });
    const other = await user('Other');
    await befriend(other, friend);
    expect((await send(other, { recipientId: friend.me.id })).body.error.code).toBe('recipient_has_game');
  });

  it('R12 S2.8 a sender living where the game is not sold cannot buy it as a gift', async () => {
    const sender = await user('Fritz', 'FR');
    const friend = await user('Mina');
    await befriend(sender, friend);
    const list = await sender.client.get(`/api/gifts/recipients?gameId=${released}`);
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('not_sold_in_country');
    expect((await send(sender, { recipientId: friend.me.id })).body.error.code).toBe('not_sold_in_country');
  });

  it('S2.1 S2.2 S2.8 S2.9 S2.10 S2.11 a gift sent now with points and KakaoPay: the sender keeps their own copy, the friend is told by notification and mail, accepts, and can download it', async () => {
    const sender = await user('Minji', 'KR', { points: 5000 });
    const friend = await user('Yuna', 'KR');
    await befriend(sender, friend);
    // S2.2: the sender owns the game; gifting it is a new purchase, their own copy stays.
    const own = await sender.client.post(
      '/api/orders',
      { gameId: released, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expect((await settle(sender.client, own.body.id)).status).toBe('paid');
    const earnedOnOwn = 1500; // 5 % of 30,000

    const r = await send(sender, {
      recipientId: friend.me.id,
      message: 'Happy birthday! 생일 축하해',
      pointsToUse: 4000,
      paymentMethod: 'kakaopay',
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      role: 'sender',
      state: 'paying',
      game: { id: released, title: 'Star Orchard' },
      to: { id: friend.me.id, timeZone: 'Asia/Seoul' },
    });
    // KakaoPay needs the buyer's approval on the PG's page (S2.9): the sender approves there.
    const paying = await giftBecomes(sender, r.body.id, (g) => Boolean(g.payment?.approvalUrl));
    const approve = await fetch(paying.payment.approvalUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    expect(approve.status).toBe(303);
    expect(approve.headers.get('location')).toContain(`/gifts/${r.body.id}`);
    // Paid, then delivered in the same step: it is never "scheduled" (with a Cancel button) on the way, and no delivery timer is written for it.
    const delivered = await giftBecomes(sender, r.body.id, (g) => g.state !== 'paying');
    expect(delivered.state).toBe('delivered');
    expect((await t.store.pool.query(`select count(*)::int as n from timers where id = $1`, [`gift-deliver:${r.body.id}`])).rows[0].n).toBe(
      0,
    );
    expect(delivered.payment).toMatchObject({
      status: 'paid',
      price: { amountMinor: 30000, currency: 'KRW' },
      paid: { amountMinor: 26000 },
      pointsUsed: 4000,
      method: 'kakaopay',
    });
    expect(t.paysim.totals().KRW?.capturedMinor).toBeGreaterThanOrEqual(26000 + 30000);
    // The sender spent 4,000 points and earned 5 % of 26,000 on the gift, plus 1,500 on their own copy.
    expect(await pointsBecome(sender.client, 5000 - 4000 + 1300 + earnedOnOwn)).toBe(5000 - 4000 + 1300 + earnedOnOwn);
    // The gift is not in the sender's purchase list (only their own copy is) and cannot be refunded as an order.
    expect((await sender.client.get('/api/orders')).body.map((o: { id: string }) => o.id)).toEqual([own.body.id]);
    expect((await sender.client.post(`/api/orders/${r.body.id}/refund`)).body.error.code).toBe('gift_order');

    // S2.10: the friend is told, with the message.
    const [mail] = await mails(friend.email, /sent you a gift/);
    expect(mail!.subject).toBe(`${sender.me.name} sent you a gift: Star Orchard`);
    expect(mail!.text).toContain('Happy birthday! 생일 축하해');
    const note = (await friend.client.get('/api/notifications')).body.find((n: { kind: string }) => n.kind === 'gift_received');
    expect(note.payload).toMatchObject({
      giftId: r.body.id,
      from: { name: sender.me.name },
      game: { title: 'Star Orchard' },
      message: 'Happy birthday! 생일 축하해',
    });
    const received = (await friend.client.get('/api/gifts')).body.received;
    expect(received).toEqual([
      expect.objectContaining({
        id: r.body.id,
        role: 'recipient',
        state: 'delivered',
        actions: { accept: true, decline: true, cancel: false },
      }),
    ]);
    expect(received[0].payment).toBeUndefined(); // what the sender paid is the sender's business

    // S2.11: accept → the game is in the friend's library and downloadable (it is released).
    const accepted = await friend.client.post(`/api/gifts/${r.body.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('accepted');
    const link = await friend.client.post(`/api/library/${released}/download`);
    expect(link.status).toBe(200);
    const file = await fetch(t.url + link.body.url);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain(`licensed to: ${friend.me.id}`);
    expect((await mails(sender.email, /accepted your gift/)).length).toBe(1);
    expect((await sender.client.get(`/api/gifts/${r.body.id}`)).body.state).toBe('accepted');
    // The sender still has their own copy.
    expect((await sender.client.post(`/api/library/${released}/download`)).status).toBe(200);
    await invariantsHold(t);
  });

  it('S2.7 S2.11 a gift scheduled for a date arrives only then, in the recipient’s time zone; a pre-order gift is downloadable from its release day', async () => {
    const sender = await user('Kenji', 'JP');
    const friend = await user('Aiko', 'JP', { timeZone: 'Asia/Tokyo' });
    await befriend(sender, friend);
    // Christmas morning, 09:00 in Tokyo = 00:00 UTC.
    const at = '2026-12-25T00:00:00.000Z';
    const g = await sent(sender, {
      gameId: upcoming,
      recipientId: friend.me.id,
      message: 'Merry Christmas',
      deliverAt: at,
      paymentMethod: 'card',
    });
    expect(g).toMatchObject({ state: 'scheduled', deliverAt: at, to: { timeZone: 'Asia/Tokyo' }, actions: { cancel: true } });
    const paidMail = (await mails(sender.email, /is paid/))[0]!;
    expect(paidMail.text).toContain('25 December 2026 at 09:00 (Asia/Tokyo)');
    // Before the day: the recipient sees nothing, not even by id.
    expect((await friend.client.get('/api/gifts')).body.received).toEqual([]);
    expect((await friend.client.get(`/api/gifts/${g.id}`)).status).toBe(404);
    expect((await friend.client.post(`/api/gifts/${g.id}/accept`)).status).toBe(404);
    expect(await t.store.timers.pending(`gift-deliver:${g.id}`)).toHaveLength(1);

    t.clock.set('2026-12-24T23:59:00Z');
    // Everything due by then has fired: a minute early, the gift is still on its way.
    await t.store.timers.drain();
    expect((await sender.client.get(`/api/gifts/${g.id}`)).body.state).toBe('scheduled');

    moveClock(60_000);
    const arrived = await giftBecomes(friend, g.id, (x) => x.state === 'delivered');
    expect(arrived.deliveredAt).toBe(at);
    expect(arrived.expiresAt).toBe('2027-01-24T00:00:00.000Z');
    expect((await mails(friend.email, /sent you a gift/))[0]!.text).toContain('Merry Christmas');
    expect((await friend.client.post(`/api/gifts/${g.id}/accept`)).status).toBe(200);
    // Released on 2026-12-20: downloadable now.
    expect((await friend.client.post(`/api/library/${upcoming}/download`)).status).toBe(200);
    t.clock.set('2026-11-24T09:00:00Z');
  });

  it('S2.7 the sender cancels a scheduled gift before it arrives: refunded, points back, and the friend never sees it', async () => {
    const sender = await user('Dami', 'KR', { points: 1000 });
    const friend = await user('Bora');
    await befriend(sender, friend);
    const g = await sent(sender, {
      recipientId: friend.me.id,
      deliverAt: new Date(t.clock.now().getTime() + 2 * DAY).toISOString(),
      pointsToUse: 1000,
    });
    expect(g.state).toBe('scheduled');
    expect((await friend.client.post(`/api/gifts/${g.id}/cancel`)).status).toBe(404); // the recipient does not know it exists
    const cancelled = await sender.client.post(`/api/gifts/${g.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const refunded = await giftBecomes(sender, g.id, (x) => x.payment.status === 'refunded');
    expect(refunded.payment.refunded).toEqual({ amountMinor: 29000, currency: 'KRW' });
    expect(await pointsBecome(sender.client, 1000)).toBe(1000);
    expect((await mails(sender.email, /cancelled and refunded/)).length).toBe(1);
    // The delivery time passes and every due timer has fired: nothing arrives.
    moveClock(3 * DAY);
    await t.store.timers.drain();
    expect((await friend.client.get('/api/gifts')).body.received).toEqual([]);
    expect(t.mailbox.to(friend.email).filter((m) => /gift/.test(m.subject))).toEqual([]);
    expect((await sender.client.post(`/api/gifts/${g.id}/cancel`)).status).toBe(409);
    await invariantsHold(t);
  });

  it('S2.12 the recipient declines: the sender is refunded at once, points included, and told by mail', async () => {
    const sender = await user('Eun', 'KR', { points: 2000 });
    const friend = await user('Gyu');
    await befriend(sender, friend);
    const g = await sent(sender, { recipientId: friend.me.id, pointsToUse: 2000, message: 'For you' });
    expect(g.state).toBe('delivered');
    expect(await pointsBecome(sender.client, 1400)).toBe(1400); // 2,000 − 2,000 + 5 % of 28,000
    const declined = await friend.client.post(`/api/gifts/${g.id}/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body.state).toBe('declined');
    const back = await giftBecomes(sender, g.id, (x) => x.payment.status === 'refunded');
    expect(back.payment.refunded).toEqual({ amountMinor: 28000, currency: 'KRW' });
    expect(await pointsBecome(sender.client, 2000)).toBe(2000);
    const [mail] = await mails(sender.email, /declined your gift/);
    expect(mail!.subject).toBe(`${friend.me.name} declined your gift of Star Orchard: refunded`);
    expect((await sender.client.get('/api/notifications')).body.map((n: { kind: string }) => n.kind)).toContain('gift_declined');
    expect((await friend.client.post(`/api/gifts/${g.id}/accept`)).body.error.code).toBe('gift_declined');
    expect((await friend.client.post(`/api/library/${released}/download`)).status).toBe(404);
    await invariantsHold(t);
  });

  it('S2.13 a gift not answered within 30 days is refunded automatically; answering after that is refused', async () => {
    const sender = await user('Ha', 'KR');
    const friend = await user('Jin');
    await befriend(sender, friend);
    const g = await sent(sender, { recipientId: friend.me.id });
    expect(g.state).toBe('delivered');
    moveClock(30 * DAY - 60_000);
    await t.store.timers.drain();
    expect((await sender.client.get(`/api/gifts/${g.id}`)).body.state).toBe('delivered');
    moveClock(60_000);
    const expired = await giftBecomes(sender, g.id, (x) => x.state === 'expired' && x.payment.status === 'refunded');
    expect(expired.payment.refunded).toEqual({ amountMinor: 30000, currency: 'KRW' });
    expect((await mails(sender.email, /not accepted within 30 days/)).length).toBe(1);
    const late = await friend.client.post(`/api/gifts/${g.id}/accept`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('gift_expired');
    expect(await t.store.timers.pending(`gift-expire:${g.id}`)).toEqual([]);
    await invariantsHold(t);
    t.clock.set('2026-11-24T09:00:00Z');
  });

  it('S2.4 only the recipient answers, only the sender cancels, and nobody else sees a gift', async () => {
    const sender = await user('Owner');
    const friend = await user('Friend');
    const nosy = await user('Nosy');
    await befriend(sender, friend);
    const g = await sent(sender, { recipientId: friend.me.id });
    for (const path of ['', '/accept', '/decline', '/cancel']) {
      const r = path ? await nosy.client.post(`/api/gifts/${g.id}${path}`) : await nosy.client.get(`/api/gifts/${g.id}`);
      expect(r.status, path).toBe(404);
    }
    expect((await nosy.client.get('/api/gifts')).body).toEqual({ sent: [], received: [] });
    expect((await sender.client.post(`/api/gifts/${g.id}/accept`)).body.error.code).toBe('not_recipient');
    expect((await sender.client.post(`/api/gifts/${g.id}/decline`)).status).toBe(403);
    expect((await friend.client.post(`/api/gifts/${g.id}/cancel`)).body.error.code).toBe('not_sender');
    expect((await sender.client.post(`/api/gifts/${g.id}/cancel`)).body.error.code).toBe('gift_already_delivered');
    expect((await new Client(t.url).get(`/api/gifts/${g.id}`)).status).toBe(401);
    expect((await nosy.client.get('/api/gifts/not-a-uuid')).status).toBe(404);
  });

  it('S2.7 S2.8 bad requests get a clear 4xx: self, past date, method of another country, too many points, no idempotency key', async () => {
    const sender = await user('Careful', 'KR', { points: 100 });
    const friend = await user('Buddy');
    await befriend(sender, friend);
    expect((await send(sender, { recipientId: sender.me.id })).body.error.code).toBe('cannot_gift_self');
    expect((await send(sender, { recipientId: friend.me.id, deliverAt: '2026-11-01T00:00:00Z' })).body.error.code).toBe('delivery_in_past');
    expect((await send(sender, { recipientId: friend.me.id, paymentMethod: 'paypay' })).body.error.code).toBe('payment_method_not_offered');
    expect((await send(sender, { recipientId: friend.me.id, pointsToUse: 500 })).body.error.code).toBe('insufficient_points');
    expect(
      (
        await sender.client.post('/api/gifts', {
          gameId: released,
          recipientId: friend.me.id,
          message: '',
          pointsToUse: 0,
          paymentMethod: 'card',
        })
      ).body.error.code,
    ).toBe('idempotency_key_required');
    const unknown = await sender.client.post(
      '/api/gifts',
      { gameId: released, recipientId: friend.me.id, message: '', pointsToUse: 0, paymentMethod: 'card', wrapping: 'red' },
      { 'idempotency-key': key() },
    );
    expect(unknown.status).toBe(400);
  });

  it('S2.9 a declined card leaves no gift: the payment failed, points are back, the friend sees nothing', async () => {
    const sender = await user('Unlucky', 'KR', { points: 500 });
    const friend = await user('Waiting');
    await befriend(sender, friend);
    t.faults.next = 'decline';
    const r = await send(sender, { recipientId: friend.me.id, pointsToUse: 500 });
    const failed = await giftBecomes(sender, r.body.id, (g) => g.state === 'payment_failed');
    t.faults.next = undefined;
    expect(failed.payment).toMatchObject({ status: 'cancelled', failure: { code: 'payment_declined' } });
    expect(await pointsBecome(sender.client, 500)).toBe(500);
    expect((await friend.client.get('/api/gifts')).body.received).toEqual([]);
    // The friend can receive the game from someone else now.
    expect((await sender.client.get(`/api/gifts/recipients?gameId=${released}`)).body.recipients.map((p: { id: string }) => p.id)).toEqual([
      friend.me.id,
    ]);
  });

  it('S2.11 S2.12 S2.13 accept, decline, the 30-day limit and the sender’s cancel racing: exactly one wins, the others get 409, many times', async () => {
    const n = 8;
    const sender = await user('Racer', 'KR');
    const friends = await Promise.all(Array.from({ length: 3 * n }, (_, i) => user(`Racee${i}`)));
    for (const f of friends) await befriend(sender, f);
    const start = t.clock.now().getTime();
    const tomorrow = new Date(start + DAY).toISOString();
    const gifts: { g: any; f: User }[] = [];
    for (const [i, f] of friends.entries()) {
      if (i >= n && i < 2 * n) t.clock.advance(1000); // group 3 arrives a second apart, so its 30 days end a second apart
      gifts.push({ g: await sent(sender, { recipientId: f.me.id, deliverAt: i >= 2 * n ? tomorrow : undefined }), f });
    }
    const answerTogether = ({ g, f }: (typeof gifts)[number]) =>
      Promise.all([f.client.post(`/api/gifts/${g.id}/accept`), f.client.post(`/api/gifts/${g.id}/decline`)]).then((rs) =>
        rs.map((r) => r.status),
      );
    const outcome = (id: string) =>
      giftBecomes(
        sender,
        id,
        (x) => !['paying', 'scheduled', 'delivered'].includes(x.state) && (x.state === 'accepted' || x.payment.status === 'refunded'),
      );

    // 1. accept and decline together: one 200, one 409.
    const a = await Promise.all(gifts.slice(0, n).map(answerTogether));
    for (const [i, statuses] of a.entries()) {
      expect(statuses.sort(), `gift ${i}`).toEqual([200, 409]);
      const final = await outcome(gifts[i]!.g.id);
      expect(final.state).toBe(
        statuses[0] === 200 && (await gifts[i]!.f.client.get(`/api/gifts/${gifts[i]!.g.id}`)).body.state === 'accepted'
          ? 'accepted'
          : 'declined',
      );
    }

    // 2. the sender cancels while the delivery time passes: cancelled (refunded) or delivered, never both.
    const c = gifts.slice(2 * n);
    const cancels = Promise.all(c.map(({ g }) => sender.client.post(`/api/gifts/${g.id}/cancel`).then((r) => r.status)));
    moveClock(DAY);
    const cancelled = await cancels;
    for (const [i, { g, f }] of c.entries()) {
      const now = await giftBecomes(
        sender,
        g.id,
        (x) => x.state === 'delivered' || (x.state === 'cancelled' && x.payment.status === 'refunded'),
      );
      expect([200, 409]).toContain(cancelled[i]);
      expect(now.state).toBe(cancelled[i] === 200 ? 'cancelled' : 'delivered');
      expect((await f.client.get(`/api/gifts/${g.id}`)).status).toBe(now.state === 'delivered' ? 200 : 404);
    }

    // 3. accept and decline at the very moment the 30 days run out: at most one wins; otherwise the timer does.
    // The clock stands where the first half's 30 days are over and moves on a second every 25 ms while
    // the answers arrive, so the rest race the timer.
    const b = gifts.slice(n, 2 * n);
    t.clock.set(new Date(start + 30 * DAY + (n / 2) * 1000 + 500));
    const raced = Promise.all(b.map(answerTogether));
    for (let step = 0; step < n / 2; step++) {
      await new Promise((r) => setTimeout(r, 25));
      moveClock(1000);
    }
    const results = await raced;
    const seen: Record<string, number> = {};
    for (const [i, statuses] of results.entries()) {
      const final = await outcome(b[i]!.g.id);
      seen[final.state] = (seen[final.state] ?? 0) + 1;
      expect(
        statuses.every((s) => s === 200 || s === 409),
        `gift ${i}: ${statuses}`,
      ).toBe(true);
      expect(statuses.filter((s) => s === 200).length, `gift ${i}: ${statuses} → ${final.state}`).toBe(final.state === 'expired' ? 0 : 1);
    }
    expect(Object.values(seen).reduce((x, y) => x + y, 0)).toBe(n);
    if (process.env.GIFT_RACE_LOG) console.log('30-day race outcomes', seen);
    await invariantsHold(t);
    t.clock.set('2026-11-24T09:00:00Z');
  });

  it('S2.14 operators find gifts in the report: filters, totals, CSV and gifts per day by state; players cannot', async () => {
    const sender = await user('Reporter', 'KR');
    const friend = await user('Reported', 'JP');
    await befriend(sender, friend);
    const g = await sent(sender, { recipientId: friend.me.id, message: '=HYPERLINK("x")' });
    const day = t.clock.now().toISOString().slice(0, 10);
    const all = await op.get(`/api/operator/reports/gifts?from=${day}&to=${day}`);
    expect(all.status).toBe(200);
    expect(all.body.rows.map((r: { id: string }) => r.id)).toContain(g.id);
    expect(all.body.totals.count).toBe(all.body.rows.length);
    expect(all.body.perDay.find((d: { day: string }) => d.day === day).counts.delivered).toBeGreaterThanOrEqual(1);
    const mine = await op.get(`/api/operator/reports/gifts?state=delivered&senderCountry=KR&recipientCountry=JP&gameId=${released}`);
    expect(mine.body.rows).toEqual([
      expect.objectContaining({
        id: g.id,
        state: 'delivered',
        sender: expect.objectContaining({ country: 'KR' }),
        recipient: expect.objectContaining({ country: 'JP' }),
        paid: { amountMinor: 30000, currency: 'KRW' },
      }),
    ]);
    expect(mine.body.totals).toMatchObject({
      count: 1,
      byState: { delivered: 1 },
      money: [{ currency: 'KRW', count: 1, paidMinor: 30000, refundedMinor: 0 }],
    });
    expect((await op.get('/api/operator/reports/gifts?from=2030-01-01')).body.totals.count).toBe(0);
    expect((await op.get('/api/operator/reports/gifts?from=2026-12-01&to=2026-11-01')).body.error.code).toBe('invalid_date_range');
    expect((await op.get('/api/operator/reports/gifts?state=lost')).status).toBe(400);

    const csv = await op.get(`/api/operator/reports/gifts?format=csv&senderCountry=KR&recipientCountry=JP`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe(
      'gift_id,created_at,state,order_status,game_id,game_title,sender_name,sender_country,recipient_name,recipient_country,deliver_at,delivered_at,settled_at,currency,paid_minor,points_used,refunded_minor',
    );
    expect(lines.find((l) => l.startsWith(g.id))).toContain(',delivered,paid,');
    expect((await sender.client.get('/api/operator/reports/gifts')).status).toBe(403);
  });

  it('S2.14 the gift report filters gifts paid partly with points, and those without', async () => {
    const sender = await user('Pointer', 'KR', { points: 5000 });
    const friend = await user('Pointed', 'KR');
    await befriend(sender, friend);
    const withPoints = await sent(sender, { recipientId: friend.me.id, pointsToUse: 5000 });
    const other = await user('Plain', 'KR');
    await befriend(sender, other);
    const without = await sent(sender, { recipientId: other.me.id });
    const ids = async (points: string) =>
      (
        (await op.get(`/api/operator/reports/gifts?senderCountry=KR&points=${points}`)).body.rows as { id: string; pointsUsed: number }[]
      ).map((r) => r.id);
    expect(await ids('used')).toContain(withPoints.id);
    expect(await ids('used')).not.toContain(without.id);
    expect(await ids('none')).toContain(without.id);
    expect(await ids('none')).not.toContain(withPoints.id);
    expect((await op.get('/api/operator/reports/gifts?points=some')).status).toBe(400);
  });
});

describe('gift titles in the reader’s language (S2, storefront issue bug 3)', () => {
  it('S2.10 S2.14 a Japanese sender’s gift reaches a Korean recipient in Korean (list, page, notification, mail) and the operator’s report in the operator’s language', async () => {
    const g = await op.post(
      '/api/operator/games',
      gameInput({
        slug: `moon-garden-${randomBytes(2).toString('hex')}`,
        title: { en: 'Moon Garden', ko: '달의 정원', ja: '月の庭' },
        releaseDate: '2026-10-01',
        editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1500 }] }],
      }),
    );
    const sender = await signUp(t, { name: 'Aoi', country: 'JP', language: 'ja' });
    const recipient = await signUp(t, { name: 'Minji', country: 'KR', language: 'ko' });
    await befriend(sender, recipient);
    const gift = await sent(sender, { gameId: g.body.id, recipientId: recipient.me.id });
    expect(gift.game.title).toBe('月の庭');
    const seen = await giftBecomes(recipient, gift.id, (x) => x.state === 'delivered');
    expect(seen.game.title).toBe('달의 정원');
    expect((await recipient.client.get('/api/gifts')).body.received.find((x: { id: string }) => x.id === gift.id).game.title).toBe(
      '달의 정원',
    );
    const note = (await recipient.client.get('/api/notifications')).body.find(
      (n: { kind: string; payload: { giftId: string } }) => n.kind === 'gift_received' && n.payload.giftId === gift.id,
    );
    expect(note.payload.game.title).toBe('달의 정원');
    const [mail] = await mails(recipient.email, /달의 정원/);
    expect(mail?.subject).toBe('Aoi님이 선물을 보냈습니다: 달의 정원');
    // The sender's mail (paid) is in Japanese, with the title the sender bought it under.
    expect((await mails(sender.email, /月の庭/))[0]?.subject).toBe('Minjiさんへの月の庭のギフトのお支払いが完了しました');
    // The sender still reads it in Japanese; the operator (English) in English.
    expect((await sender.client.get(`/api/gifts/${gift.id}`)).body.game.title).toBe('月の庭');
    const report = await op.get(`/api/operator/reports/gifts?gameId=${g.body.id}`);
    expect(report.body.rows.map((r: { game: { title: string } }) => r.game.title)).toEqual(['Moon Garden']);
    // The report finds games by a part of their title in any language (not only by id).
    for (const q of ['garden', '달의', '月の'])
      expect(
        (await op.get(`/api/operator/reports/gifts?game=${encodeURIComponent(q)}`)).body.rows.map((r: { id: string }) => r.id),
      ).toContain(gift.id);
    expect((await op.get(`/api/operator/reports/gifts?game=${encodeURIComponent('100%')}`)).body.rows).toEqual([]);
  });
});
