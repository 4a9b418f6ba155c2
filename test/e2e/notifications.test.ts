import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../harness.ts';
import { settle } from '../checkout.ts';
import { launchChromium, signedIn } from '../browser.ts';

let t: TestStore;
let browser: Browser;
let gameId: string;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  const op = await signInOperator(t);
  const g = await op.post(
    '/api/operator/games',
    gameInput({
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: 'KR', currency: 'KRW', amountMinor: 30000 }] }],
    }),
  );
  gameId = g.body.id;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('notifications and points in the header (S2.10, S1.10)', () => {
  it('S2.10 the bell shows unread notifications in the reader’s language; opening one marks it read and goes where it points', async () => {
    const minji = await signUp(t, { name: 'Minji', country: 'KR', language: 'ko' });
    const joon = await signUp(t, { name: 'Joon', country: 'KR', language: 'ko' });
    expect((await joon.client.post('/api/friends/requests', { userId: minji.me.id })).status).toBe(201);
    const { ctx, page } = await signedIn(browser, t.url, minji.client, 'ko-KR');
    await page.goto(`${t.url}/`);
    await page.waitForSelector('[data-testid=bell-count]');
    expect(await page.textContent('[data-testid=bell-count]')).toBe('1');
    await page.click('[data-testid=bell]');
    await page.waitForSelector('[data-testid=notification]');
    expect(await page.textContent('[data-testid=notification]')).toContain('Joon님이 친구 요청을 보냈습니다');
    await page.screenshot({ path: `${shots}/bell-ko.png` });
    await page.click('[data-testid=notification]');
    await page.waitForURL(/\/friends$/);
    await page.waitForSelector('[data-testid=bell]');
    await expect.poll(() => page.locator('[data-testid=bell-count]').count()).toBe(0);
    expect((await minji.client.get('/api/notifications')).body[0].read).toBe(true);
    await ctx.close();
  });

  it('S1.10 S1.14 the points page shows each wallet and every entry with its order: earned on a purchase, taken back on its refund', async () => {
    const u = await signUp(t, { name: 'Points', country: 'KR', language: 'en' });
    await t.store.points.earn(u.me.id, 'KRW', 5000, `grant:${u.me.id}`);
    const placed = await u.client.post(
      '/api/orders',
      { gameId, pointsToUse: 1000, paymentMethod: 'card' },
      { 'idempotency-key': randomBytes(8).toString('hex') },
    );
    expect((await settle(u.client, placed.body.id)).status).toBe('paid');
    const { ctx, page } = await signedIn(browser, t.url, u.client);
    await page.goto(`${t.url}/`);
    await page.click('[data-testid=points-link]');
    await page.waitForSelector('[data-testid=points-entry]');
    // 5,000 granted − 1,000 spent + 5 % of 29,000 paid = 1,450 earned → 5,450.
    expect(await page.textContent('[data-testid=wallet]')).toContain('5,450');
    const kinds = await page.locator('[data-testid=points-entry]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(kinds.sort()).toEqual(['earn', 'earn', 'spend']);
    expect(await page.locator('[data-testid=points-entry][data-kind=spend] a').getAttribute('href')).toBe(`/orders/${placed.body.id}`);
    // Refunded: the 1,000 used come back and the 1,450 earned are taken back.
    expect((await u.client.post(`/api/orders/${placed.body.id}/refund`)).status).toBeLessThan(300);
    await settle(u.client, placed.body.id, (s) => s === 'refunded');
    await page.reload();
    await page.waitForSelector('[data-testid=points-entry][data-kind=revoke_earned]');
    expect(await page.textContent('[data-testid=points-entry][data-kind=revoke_earned]')).toContain('-1,450');
    expect(await page.textContent('[data-testid=points-entry][data-kind=return_spent]')).toContain('+1,000');
    expect(await page.textContent('[data-testid=wallet]')).toContain('5,000');
    await page.screenshot({ path: `${shots}/points.png`, fullPage: true });
    await ctx.close();
  });
});
