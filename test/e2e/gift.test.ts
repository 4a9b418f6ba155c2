import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';

let t: TestStore;
let browser: Browser;
let op: Client;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-11-24T09:00:00Z', durable: true });
  op = await signInOperator(t);
  const game = await op.post(
    '/api/operator/games',
    gameInput({
      slug: 'lantern-bay',
      title: { en: 'Lantern Bay' },
      releaseDate: '2026-10-02',
      coverUrl: '/covers/lantern-bay?title=Lantern%20Bay',
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 2499 },
            { country: 'KR', currency: 'KRW', amountMinor: 25000 },
            { country: 'JP', currency: 'JPY', amountMinor: 2800 },
          ],
        },
      ],
    }),
  );
  expect(game.status).toBe(201);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const open = (c: Client, locale = 'en-US') => signedIn(browser, t.url, c, locale);

describe('gifting in Chromium', () => {
  it('R1 S2.3 S2.4 S2.6 S2.7 S2.10 S2.11 S2.14 friends; a gift with a message for a future date; the clock moves; the friend accepts and finds it in the library; the operator finds it in the report', async () => {
    const seoyeon = await signUp(t, { name: 'Seoyeon Lee', country: 'KR', language: 'en' });
    const haruto = await signUp(t, { name: 'Haruto Sato', country: 'JP', language: 'en', timeZone: 'Asia/Tokyo' });
    const a = await open(seoyeon.client);
    const b = await open(haruto.client);

    // They become friends through the friends page.
    await a.page.goto(`${t.url}/friends`);
    await a.page.fill('input[aria-label="Name or email"]', 'Haruto');
    await a.page.click('.friends form button[type=submit]');
    await a.page.click('button:text("Add friend")');
    await a.page.waitForSelector('text=Friend request sent to Haruto Sato.');
    await b.page.goto(`${t.url}/friends`);
    await b.page.click('[data-testid=incoming] button:text("Accept")');
    await b.page.waitForSelector('[data-testid=friend]');

    // "Buy as a gift" on the game page: Haruto is offered, with his time zone.
    await a.page.goto(`${t.url}/games/lantern-bay`);
    await a.page.click('[data-testid=buy-as-gift]');
    await a.page.waitForSelector('[data-testid=gift-checkout]');
    expect(await a.page.textContent('[data-testid=gift-checkout]')).toContain('Haruto Sato');
    expect(await a.page.textContent('[data-testid=gift-checkout]')).toContain('Asia/Tokyo');
    await a.page.fill('textarea[name=message]', 'お誕生日おめでとう! Happy birthday, Haruto');
    await a.page.check('input[name=when][value=later]');
    // The earliest delivery time is the store's "now" (09:00 UTC = 18:00 in Tokyo on the test's clock), not the
    // browser's: the test keeps working whatever today's real date is.
    expect(await a.page.getAttribute('input[name=deliverAt]', 'min')).toBe('2026-11-24T18:00');
    // 1 December, 08:00 in Tokyo = 30 November, 23:00 UTC.
    await a.page.fill('input[name=deliverAt]', '2026-12-01T08:00');
    await a.page.check('input[name=method][value=card]');
    expect(await a.page.textContent('[data-testid=amount-due]')).toBe('₩25,000');
    await a.page.screenshot({ path: `${shots}/gift-checkout.png`, fullPage: true });
    await a.page.click('[data-testid=gift-checkout] button[type=submit]');
    await a.page.waitForSelector('[data-testid=gift][data-state=scheduled]');
    expect(await a.page.textContent('[data-testid=gift]')).toContain('(Asia/Tokyo)');
    const giftId = a.page.url().split('/').pop()!;
    expect((await seoyeon.client.get(`/api/gifts/${giftId}`)).body.deliverAt).toBe('2026-11-30T23:00:00.000Z');

    // Before the day Haruto sees nothing; then the clock passes the delivery time.
    await b.page.goto(`${t.url}/gifts`);
    await b.page.waitForSelector('text=No gifts received yet.');
    t.clock.set('2026-11-30T23:00:01Z');
    t.store.timers.kick();
    await vi.waitFor(async () => expect((await haruto.client.get(`/api/gifts/${giftId}`)).status).toBe(200), {
      timeout: 5_000,
      interval: 50,
    });
    await b.page.reload();
    await b.page.click('[data-testid=gift-recipient] a');
    await b.page.waitForSelector('[data-testid=gift][data-state=delivered]');
    expect(await b.page.textContent('.gift-message')).toBe('お誕生日おめでとう! Happy birthday, Haruto');
    await b.page.screenshot({ path: `${shots}/gift-received.png`, fullPage: true });
    await b.page.click('button:text("Accept")');
    await b.page.waitForSelector('[data-testid=gift][data-state=accepted]');
    await b.page.click('text=Go to your library');
    await b.page.waitForSelector('[data-testid=library-game]');
    expect(await b.page.textContent('[data-testid=library-game]')).toContain('Lantern Bay');
    expect(await b.page.textContent('[data-testid=library-game]')).toContain('Gift');
    expect(await b.page.isVisible('[data-testid=library-game] button:text("Download")')).toBe(true);

    // The operator finds it in the gift report, filtered by the recipient's country.
    const o = await open(op);
    await o.page.goto(`${t.url}/console/reports/gifts`);
    await o.page.selectOption('select[name=recipientCountry]', 'JP');
    await o.page.selectOption('select[name=state]', 'accepted');
    await o.page.waitForSelector('[data-testid=gift-report-row]');
    const rows = await o.page.$$eval('[data-testid=gift-report-row]', (rs) => rs.map((r) => r.textContent));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Lantern Bay');
    expect(rows[0]).toContain('Seoyeon Lee');
    expect(await o.page.textContent('[data-testid=gift-totals]')).toContain('Gifts 1');
    expect(await o.page.$$('[data-testid=gift-chart] rect')).toHaveLength(1);
    await o.page.screenshot({ path: `${shots}/gift-report.png`, fullPage: true });
    const csvHref = await o.page.getAttribute('[data-testid=gift-csv]', 'href');
    const csv = await op.get(csvHref!);
    expect(String(csv.body)).toContain(giftId);
    for (const s of [a, b, o]) await s.ctx.close();
  });
});
