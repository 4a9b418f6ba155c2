import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';

let t: TestStore;
let browser: Browser;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-12-10T02:00:00Z', env: { DEV_CLOCK: 'on' } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the development clock (storefront issue: time in development)', () => {
  it('S1.3 R1 an operator moves the store clock to release day from the console: every page shows a banner, the game turns from Pre-order to Buy; back to real time, the banner goes', async () => {
    const op = await signInOperator(t);
    await op.post('/api/operator/games', gameInput({ slug: 'far-launch', title: { en: 'Far Launch' }, releaseDate: '2026-12-20' }));
    const { ctx, page } = await signedIn(browser, t.url, op);
    // Chromium's zone decides how the console's datetime field is read; the test says which.
    await page.goto(`${t.url}/games/far-launch`);
    await page.waitForSelector('[data-testid=buy]:text("Pre-order")');

    await page.goto(`${t.url}/console`);
    await page.waitForSelector('[data-testid=dev-clock]');
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const { instantToZoned } = await import('../../src/platform/zoned-time.ts');
    await page.fill('input[name=devClockAt]', instantToZoned(new Date('2026-12-20T12:00:00Z'), zone));
    await page.click('[data-testid=dev-clock] button[type=submit]');
    await expect.poll(() => t.clock.now().toISOString()).toBe('2026-12-20T12:00:00.000Z');
    await page.waitForSelector('[data-testid=clock-banner]');
    await page.goto(`${t.url}/games/far-launch`);
    await page.waitForSelector('[data-testid=buy]:text("Buy")');
    const banner = await page.textContent('[data-testid=clock-banner]');
    expect(banner).toContain('Dec 20, 2026');
    await page.screenshot({ path: `${shots}/dev-clock-banner.png` });

    // A player cannot move it; nobody can move it absurdly far.
    const { Client } = await import('../harness.ts');
    expect((await new Client(t.url).put('/api/dev/clock', { at: '2027-01-01T00:00:00Z' })).status).toBe(401);
    const far = await op.put('/api/dev/clock', { at: '2090-01-01T00:00:00Z' });
    expect(far.status).toBe(400);
    expect(far.body.error.code).toBe('clock_out_of_range');

    await page.goto(`${t.url}/console`);
    await page.click('[data-testid=dev-clock] button:text("Back to real time")');
    await page.waitForSelector('[data-testid=clock-banner]', { state: 'detached' });
    expect(Math.abs(t.clock.now().getTime() - Date.now())).toBeLessThan(60_000);
    await ctx.close();
  });
});
