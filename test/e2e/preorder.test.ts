import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type Client, type TestStore } from '../harness.ts';
import { randomUUID } from 'node:crypto';
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
      slug: 'moon-garden',
      title: { en: 'Moon Garden', ko: '달의 정원' },
      releaseDate: '2026-12-24',
      coverUrl: '/covers/moon-garden?title=Moon%20Garden',
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard', ko: '스탠다드' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 3999 },
            { country: 'KR', currency: 'KRW', amountMinor: 40000 },
          ],
        },
      ],
    }),
  );
  await op.put(`/api/operator/games/${game.body.id}/preorder-discount`, { percentOff: 20 });
  // Priced only in US dollars everywhere.
  await op.post(
    '/api/operator/games',
    gameInput({
      slug: 'dollar-drift',
      title: { en: 'Dollar Drift' },
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1999 }] }],
    }),
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('pre-order in Chromium', () => {
  it('S1.3 S1.5 S1.6 S1.7 S1.8 S1.11 S1.12 S1.13 pre-order with points and KakaoPay approval, see it in the purchase list, refund it, see it gone', async () => {
    const { client, me } = await signUp(t, { country: 'KR', language: 'ko' });
    await t.store.points.earn(me.id, 'KRW', 5000, `grant:${me.id}`);
    const { ctx, page } = await signedIn(browser, t.url, client, 'ko-KR');

    await page.goto(`${t.url}/games/moon-garden`);
    // Release on 24 December (00:00 UTC), the store's clock at 24 November 09:00 UTC: 29 days 15 hours to go.
    expect(await page.textContent('[data-testid=release-countdown]')).toMatch(/^출시까지 29 d 1[45]:\d\d:\d\d$/);
    await page.click('[data-testid=buy]');
    await page.waitForSelector('[data-testid=amount-due]');
    expect(await page.textContent('[data-testid=amount-due]')).toBe('₩32,000');
    await page.fill('input[name=points]', '5000');
    expect(await page.textContent('[data-testid=amount-due]')).toBe('₩27,000');
    await page.check('input[value=kakaopay]');
    await page.screenshot({ path: `${shots}/checkout-kr.png`, fullPage: true });
    await page.click('form.checkout button[type=submit]');

    // paysim's approval page (another origin), as KakaoPay's would be.
    await page.waitForURL(/\/approve\/pay_/);
    expect(await page.textContent('.amount')).toBe('₩27,000');
    await page.click('button[value=approve]');
    await page.waitForSelector('[data-testid=order][data-status=paid]');
    // The confirmation is a receipt, and says from when the pre-ordered game can be downloaded.
    expect(await page.textContent('[data-testid=download-from]')).toBe('출시일인 2026년 12월 24일부터 다운로드할 수 있습니다.');
    const receipt = (await page.textContent('[data-testid=receipt]'))!;
    expect(receipt).toContain('KakaoPay');
    expect(receipt).toContain('₩40,000'); // the list price, then the pre-order discount
    expect(receipt).toContain('₩8,000');
    await page.screenshot({ path: `${shots}/order-complete.png`, fullPage: true });

    await page.goto(`${t.url}/purchases`);
    await page.waitForSelector('[data-testid=purchase]');
    expect(await page.textContent('[data-testid=purchase]')).toContain('달의 정원');
    // The purchase list speaks the player's language (Korean here), its refund button too.
    expect(await page.textContent('h1')).toBe('구매 내역');
    expect(await page.isEnabled('[data-testid=purchase] button:text("환불 요청")')).toBe(true);
    await page.click('[data-testid=purchase] button:text("환불 요청")');
    await page.waitForSelector('[data-testid=no-purchases]');
    expect((await client.get('/api/orders?history=true')).body.map((o: { status: string }) => o.status)).toEqual(['refunded']);
    // Steam's purchase history: the refunded pre-order is still there under the filter, and the filter is in the address.
    await page.check('input[name=history]');
    await page.waitForSelector('[data-testid=purchase-status][data-status=refunded]');
    expect(page.url()).toContain('all=1');
    await page.screenshot({ path: `${shots}/purchase-history-ko.png`, fullPage: true });
    await ctx.close();
  });

  it('S1.8 R1 points in another currency than the price are not silently ignored: the checkout says why they cannot pay', async () => {
    const { client, me } = await signUp(t, { country: 'KR', language: 'en' });
    await t.store.points.earn(me.id, 'KRW', 5000, `grant:${me.id}`);
    const { ctx, page } = await signedIn(browser, t.url, client);
    await page.goto(`${t.url}/games/dollar-drift`);
    await page.click('[data-testid=buy]');
    await page.waitForSelector('[data-testid=amount-due]');
    expect(await page.textContent('[data-testid=amount-due]')).toBe('$19.99');
    expect(await page.textContent('[data-testid=points-elsewhere]')).toContain(
      '5,000 KRW points pay only for prices in KRW; this price is in USD',
    );
    expect(await page.isDisabled('button:text("use all")')).toBe(true);
    await page.screenshot({ path: `${shots}/checkout-points-elsewhere.png`, fullPage: true });
    await ctx.close();
  });

  it('S1.7 S1.9 an order cancelled on the wallet’s page says it was not charged — never “Paid”', async () => {
    const { client } = await signUp(t, { country: 'KR', language: 'en' });
    const { ctx, page } = await signedIn(browser, t.url, client);
    await page.goto(`${t.url}/games/dollar-drift`);
    await page.click('[data-testid=buy]');
    await page.waitForSelector('[data-testid=amount-due]');
    await page.check('input[value=kakaopay]');
    await page.click('form.checkout button[type=submit]');
    await page.waitForURL(/\/approve\/pay_/);
    await page.click('button[value=cancel]');
    await page.waitForSelector('[data-testid=order][data-status=cancelled]');
    expect(await page.textContent('[data-testid=amount-label]')).toBe('Not charged');
    await page.screenshot({ path: `${shots}/order-cancelled-at-wallet.png`, fullPage: true });
    await ctx.close();
  });

  it('D1 R1 the operator finds money the store refunded by itself in the console’s alerts, with what to check, and resolves it', async () => {
    // A charge at the PG for an order the store never placed (another integration, a support tool): the webhook
    // reaches the store, which refunds it at once and tells the operators.
    const charged = await fetch(`${t.paysimUrl}/v1/payments`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        orderRef: randomUUID(),
        method: 'card',
        amountMinor: 4200,
        currency: 'USD',
        webhookUrl: `${t.url}/api/payments/webhooks/paysim`,
      }),
    });
    const payment = (await charged.json()) as { id: string };
    const o = await signedIn(browser, t.url, op, 'en-US');
    await o.page.goto(`${t.url}/console`);
    await o.page.waitForSelector('[data-testid=alerts-link]:has-text("(")');
    await o.page.click('[data-testid=alerts-link]');
    const row = o.page.locator('[data-testid=alert][data-kind=capture_without_order]', { hasText: payment.id });
    await row.waitFor();
    expect(await row.textContent()).toContain('refunded automatically');
    await o.page.screenshot({ path: `${shots}/console-alerts.png`, fullPage: true });
    await row.getByRole('button', { name: 'Resolve' }).click();
    await o.page.waitForSelector(`[data-testid=alert]:has-text("${payment.id}")`, { state: 'detached' });
    await o.page.check('text=Show resolved');
    await expect(o.page.locator('[data-testid=alert]', { hasText: payment.id }).textContent()).resolves.toContain('Resolved');
    await o.ctx.close();
  });

  it('S1.6 R12 in the console the operator changes a game’s pre-order discount (the storefront follows) and reviews region refusals', async () => {
    const moon = ((await op.get('/api/operator/games?q=Moon')).body as { id: string; slug: string }[]).find(
      (g) => g.slug === 'moon-garden',
    )!;
    const o = await signedIn(browser, t.url, op, 'en-US');
    await o.page.goto(`${t.url}/console/games/${moon.id}`);
    const box = o.page.locator('[data-testid=preorder-discount]');
    await box.getByText('Pre-orders are 20% off until release day (Dec 24, 2026).').waitFor();
    await box.locator('input[name=preorderPercent]').fill('30');
    await box.locator('button[type=submit]').click();
    await box.locator('[role=status]').waitFor();
    const { client } = await signUp(t, { country: 'US' });
    await expect.poll(async () => (await client.get(`/api/checkout?gameId=${moon.id}`)).body.price.amountMinor).toBe(2800); // 30 % of 39.99 is 11.997: discounts are rounded down to whole cents
    await box.locator('button:text("Remove")').click();
    await box.getByText('Pre-orders pay the full price.').waitFor();
    await expect.poll(async () => (await client.get(`/api/checkout?gameId=${moon.id}`)).body.price.amountMinor).toBe(3999);
    await op.put(`/api/operator/games/${moon.id}/preorder-discount`, { percentOff: 20 }); // as the other tests expect

    // A game not sold in Korea; a Korean resident tries to buy it: refused, and on the operators' audit page.
    const locked = await op.post(
      '/api/operator/games',
      gameInput({
        slug: 'not-in-korea',
        title: { en: 'Not In Korea' },
        regions: { sale: { mode: 'except', countries: ['KR'] }, play: { mode: 'everywhere', countries: [] } },
      }),
    );
    const kr = await signUp(t, { country: 'KR' });
    const refused = await kr.client.post(
      '/api/orders',
      { gameId: locked.body.id, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': randomUUID() },
    );
    expect(refused.status).toBe(403);
    await o.page.goto(`${t.url}/console`);
    await o.page.click('[data-testid=regions-link]');
    await o.page.selectOption('select[name=outcome]', 'refused');
    await o.page.selectOption('select[name=gameId]', locked.body.id);
    const row = o.page.locator('[data-testid=region-decision][data-outcome=refused]', { hasText: 'Not In Korea' });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('South Korea');
    await o.page.screenshot({ path: `${shots}/console-region-decisions.png`, fullPage: true });
    await o.ctx.close();
  });

  it('R14 R11 a friend’s purchase shows in the activity feed in the reader’s language; the buyer makes it public and shares it; the shared page shows it to anyone', async () => {
    const buyer = await signUp(t, { country: 'US', name: 'Mina' });
    const friend = await signUp(t, { country: 'KR', language: 'ko', name: 'Joon' });
    expect((await buyer.client.post('/api/friends/requests', { userId: friend.me.id })).status).toBe(201);
    expect((await friend.client.post(`/api/friends/requests/${buyer.me.id}/accept`)).status).toBe(204);
    const dollar = ((await op.get('/api/operator/games?q=Dollar')).body as { id: string }[])[0]!.id;
    const placed = await buyer.client.post(
      '/api/orders',
      { gameId: dollar, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': randomUUID() },
    );
    expect(placed.status).toBe(202);

    const f = await signedIn(browser, t.url, friend.client, 'ko-KR');
    await f.page.goto(`${t.url}/friends`);
    await expect
      .poll(
        async () => {
          await f.page.reload();
          await f.page.waitForSelector('[data-testid=friends-activity]');
          return f.page.locator('[data-testid=feed-item]').allTextContents();
        },
        { timeout: 15_000, interval: 300 },
      )
      .toEqual([expect.stringContaining('Mina 님이 Dollar Drift을(를) 구매했습니다')]);
    await f.page.screenshot({ path: `${shots}/friends-activity-ko.png`, fullPage: true });
    await f.ctx.close();

    const b = await signedIn(browser, t.url, buyer.client, 'en-US');
    await b.page.goto(`${t.url}/friends`);
    const item = b.page.locator('[data-testid=my-item]').first();
    await item.locator('select[name=visibility]').selectOption('everyone');
    await b.page.waitForSelector('[data-testid=my-item][data-visibility=everyone] [data-testid=share] a:text("X")');
    const x = await b.page.getAttribute('[data-testid=share] a:text("X")', 'href');
    const shareUrl = decodeURIComponent(new URL(x!).searchParams.get('url')!);
    expect(new URL(x!).searchParams.get('text')).toBe('Mina bought Dollar Drift');
    await b.ctx.close();
    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    await page.goto(shareUrl);
    expect(await page.textContent('h1')).toBe('Mina bought Dollar Drift');
    expect(await page.getAttribute('meta[property="og:title"]', 'content')).toBe('Mina bought Dollar Drift');
    await visitor.close();
  });
});
