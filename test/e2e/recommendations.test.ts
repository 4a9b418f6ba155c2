import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { gameInput, signInOperator, signUp, startTestStore, type Client, type TestStore } from '../harness.ts';
import { settle } from '../checkout.ts';
import { launchChromium, signedIn } from '../browser.ts';
import { Transactions } from '../../src/platform/db/tx.ts';
import { publish } from '../../src/platform/events.ts';
import '../../src/orders/events.ts';

let t: TestStore;
let op: Client;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const shots = 'test-results/screenshots';
const games: Record<string, { id: string; slug: string }> = {};
const prices = [
  { country: '*', currency: 'USD', amountMinor: 1500 },
  { country: 'KR', currency: 'KRW', amountMinor: 20000 },
];
const titles: Record<string, string> = {
  s1: 'Iron Comet',
  s2: 'Neon Siege',
  s3: 'Hollow Point',
  s4: 'Gravity Rift',
  f1: 'Willow Acres',
  f2: 'Harvest Moonrise',
  f3: 'Barnstorm Valley',
  f4: 'Orchard Days',
};

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  op = await signInOperator(t);
  for (const [key, title] of Object.entries(titles)) {
    const slug = `${title.toLowerCase().replaceAll(' ', '-')}-${randomBytes(2).toString('hex')}`;
    const r = await op.post(
      '/api/operator/games',
      gameInput({
        slug,
        title: { en: title },
        genres: [key.startsWith('s') ? 'Action' : 'Simulation'],
        tags: [key.startsWith('s') ? 'Shooter' : 'Farming'],
        developer: key.startsWith('s') ? 'Blast Studio' : 'Field Works',
        releaseDate: '2026-10-01',
        coverUrl: `/covers/${slug}?title=${encodeURIComponent(title)}`,
        editions: [{ code: 'standard', name: { en: 'Standard' }, prices }],
      }),
    );
    expect(r.status).toBe(201);
    games[key] = { id: r.body.id, slug };
  }
  // Other players' libraries: shooter fans and farming fans, three games each.
  const tx = new Transactions(t.store.pool);
  for (let u = 0; u < 40; u++) {
    const kind = u % 2 ? 's' : 'f';
    for (let i = 0; i < 3; i++) {
      const g = games[`${kind}${((Math.floor(u / 2) + i) % 4) + 1}`]!;
      await tx.run((x) =>
        publish(x, 'library.added', { userId: `seed-${u}`, gameId: g.id, orderId: `seed-${u}-${i}`, source: 'purchase' }, t.clock.now()),
      );
    }
  }
  await t.store.events.caughtUp();
  await t.store.recommendations.trainNow();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const reasons = async (page: import('playwright-core').Page) => {
  await page.waitForSelector('[data-testid=recommendation]');
  return page.$$eval('[data-testid=recommendation]', (els) =>
    els.map((e) => ({ game: e.getAttribute('data-game') ?? '', reason: e.querySelector('[data-testid=reason]')?.textContent ?? '' })),
  );
};

describe('recommendations and the new-release mail in Chromium', () => {
  it('R8 R9 S1.2 S1.3 wishlist and play change the home page with their reasons; a review shows its playtime; the new-release mail opens the pre-order', async () => {
    const player = await signUp(t, { country: 'KR', language: 'en', name: 'Jisoo' });
    const { ctx, page } = await signedIn(browser, t.url, player.client);

    // A new player: what is popular, and why.
    await page.goto(t.url);
    const cold = await reasons(page);
    expect(cold.length).toBeGreaterThan(3);
    for (const r of cold) expect(r.reason).toMatch(/^Popular (in South Korea|now)$/);

    // Wishlisting a farming game on its page: farming games come first, "because you wishlisted" it.
    await page.goto(`${t.url}/games/${games.f1!.slug}`);
    await page.click('[data-testid=wishlist-toggle]');
    await page.waitForSelector('[data-testid=wishlist-toggle][aria-pressed=true]');
    await t.store.events.caughtUp();
    await page.goto(t.url);
    await vi.waitFor(async () => {
      await page.reload();
      const warm = await reasons(page);
      expect(warm[0]!.reason).toBe('Because you wishlisted Willow Acres');
      expect(
        warm
          .slice(0, 3)
          .map((r) => r.game)
          .sort(),
      ).toEqual(['f2', 'f3', 'f4'].map((k) => games[k]!.slug).sort());
    });
    await page.screenshot({ path: `${shots}/recommended-after-wishlist.png`, fullPage: true });

    // Buying a shooter and playing it for 44 minutes (the launcher's API): shooters, "because you played" it.
    const placed = await player.client.post(
      '/api/orders',
      { gameId: games.s1!.id, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': randomBytes(8).toString('hex') },
    );
    expect((await settle(player.client, placed.body.id)).status).toBe('paid');
    const session = await player.client.post('/api/play/sessions', { gameId: games.s1!.id });
    for (let beat = 0; beat < 11; beat++) {
      t.clock.advance(4 * 60_000);
      expect((await player.client.post(`/api/play/sessions/${session.body.id}/heartbeat`)).status).toBe(200);
    }
    await player.client.post(`/api/play/sessions/${session.body.id}/stop`);
    await t.store.events.caughtUp();
    await page.reload();
    const played = await reasons(page);
    expect(played.map((r) => r.reason)).toContain('Because you played Iron Comet');
    expect(played.map((r) => r.game)).not.toContain(games.s1!.slug);
    await page.screenshot({ path: `${shots}/recommended-after-play.png`, fullPage: true });

    // R9: the player reviews the game they played, on its page; the review shows their playtime.
    await page.goto(`${t.url}/games/${games.s1!.slug}`);
    await page.waitForSelector('[data-testid=review-form]');
    expect(await page.textContent('[data-testid=score-line]')).toBe('No reviews yet');
    await page.fill('[data-testid=review-form] textarea', 'Tight shooting, short campaign.');
    await page.click('[data-testid=review-form] button[type=submit]');
    await page.waitForSelector('[data-testid=review]');
    expect(await page.textContent('[data-testid=review]')).toContain('Tight shooting, short campaign.');
    expect(await page.textContent('[data-testid=review]')).toContain('0.7 h on record');
    expect(await page.textContent('[data-testid=score-line]')).toBe('1 review');

    // R8: the discovery queue, one game at a time; "not interested" keeps a game out of the home page for good.
    await page.goto(`${t.url}/discovery`);
    await page.waitForSelector('[data-testid=queue-item]');
    const dismissed = await page.getAttribute('[data-testid=queue-item]', 'data-game');
    await page.click('[data-testid=queue-not-interested]');
    await page.waitForFunction((slug) => document.querySelector('[data-testid=queue-item]')?.getAttribute('data-game') !== slug, dismissed);
    await page.goto(t.url);
    expect((await reasons(page)).map((r) => r.game)).not.toContain(dismissed);

    // S1.2: an operator announces a new farming game; the player gets the mail; its link opens the pre-order.
    const announced = await op.post(
      '/api/operator/games',
      gameInput({
        slug: `meadow-hearts-${randomBytes(2).toString('hex')}`,
        title: { en: 'Meadow Hearts' },
        genres: ['Simulation'],
        tags: ['Farming'],
        developer: 'Field Works',
        releaseDate: '2027-04-01',
        editions: [{ code: 'standard', name: { en: 'Standard' }, prices }],
      }),
    );
    expect(announced.status).toBe(201);
    await t.store.events.caughtUp();
    await t.store.timers.drain();
    const mail = await vi.waitFor(
      () => {
        const m = t.mailbox.mails.find((x) => x.to === player.email && x.subject === 'New for you: Meadow Hearts');
        if (!m) throw new Error('no new-release mail yet');
        return m;
      },
      { timeout: 10_000 },
    );
    expect(mail.text).toContain('Release date: April 1, 2027');
    expect(mail.text).toContain('₩20,000');
    const link = /Pre-order it: (\S+)/.exec(mail.text)![1]!;
    await page.goto(link);
    await page.waitForURL(new RegExp(`/games/${announced.body.slug}/checkout`));
    await page.waitForSelector('[data-testid=amount-due]');
    await page.screenshot({ path: `${shots}/release-mail-preorder.png`, fullPage: true });
    await ctx.close();
  });
});
