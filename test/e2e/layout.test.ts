import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';

let t: TestStore;
let browser: Browser;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  const op = await signInOperator(t);
  for (let i = 0; i < 6; i++) {
    await op.post(
      '/api/operator/games',
      gameInput({ slug: `wide-${i}`, title: { en: `A Rather Long Game Title Number ${i} With Subtitle` }, releaseDate: '2026-10-01' }),
    );
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('layout at phone and desktop widths (R1, storefront issue bug 7)', () => {
  it('R1 at a 390 px phone width no storefront page is wider than the screen, signed in or not', async () => {
    const { client } = await signUp(t, { name: 'Phone' });
    for (const who of ['visitor', 'player'] as const) {
      const { ctx, page } =
        who === 'player'
          ? await signedIn(browser, t.url, client)
          : await (async () => {
              const c = await browser.newContext();
              return { ctx: c, page: await c.newPage() };
            })();
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of ['/', '/search?q=game', '/sale', '/games/wide-1']) {
        await page.goto(`${t.url}${path}`);
        // Measured once the page has its content (cards, the game's buy box or the empty-sale note).
        await page.waitForSelector('main :is([data-testid=game-card], [data-testid=buy-box], .shelf p)');
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (path.startsWith('/search')) await page.screenshot({ path: `${shots}/search-390-${who}.png`, fullPage: true });
        expect(width, `${who} ${path} is ${width} px wide`).toBeLessThanOrEqual(390);
      }
      await ctx.close();
    }
  });

  it('R1 country pickers are in the order of their names in the reader’s language, not of their ISO codes', async () => {
    for (const language of ['ko', 'ja', 'en']) {
      const ctx = await browser.newContext();
      await ctx.addCookies([{ name: 'store_language', value: language, url: t.url }]);
      const page = await ctx.newPage();
      await page.goto(`${t.url}/signup`);
      const select = page.locator('select[name=country]');
      await select.waitFor();
      const names = await select.locator('option').allTextContents();
      const collator = new Intl.Collator(language);
      expect(names.length).toBeGreaterThan(100);
      expect(names, language).toEqual([...names].sort((a, b) => collator.compare(a, b)));
      await ctx.close();
    }
  });

  it('R1 on a desktop the price filter stays inside its panel', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${t.url}/search?genre=Action`);
    await page.waitForSelector('.price-range input');
    const panel = await page.locator('.filters').boundingBox();
    for (const input of await page.locator('.price-range input, .price-range button').all()) {
      const box = (await input.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(panel!.x + panel!.width);
    }
    await ctx.close();
  });
});
