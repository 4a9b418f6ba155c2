import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type Client, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';

let t: TestStore;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-11-24T09:00:00Z' });
  const op = await signInOperator(t);
  const games = [
    gameInput({
      slug: 'starlight-raiders',
      title: { en: 'Starlight Raiders', ko: '스타라이트 레이더스' },
      summary: { en: 'Space pirates.', ko: '우주 해적 게임.' },
      description: { en: 'Raid the stars.', ko: '별을 습격하세요.' },
      genres: ['Action'],
      releaseDate: '2026-12-24',
      coverUrl: '/covers/starlight-raiders?title=Starlight%20Raiders',
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard', ko: '스탠다드' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 4999 },
            { country: 'KR', currency: 'KRW', amountMinor: 55000 },
          ],
        },
      ],
    }),
    // No cover at all, and a cover URL that is gone.
    gameInput({ slug: 'bare-bones', title: { en: 'Bare Bones' }, genres: ['Puzzle'], coverUrl: null }),
    gameInput({ slug: 'lost-cover', title: { en: 'Lost Cover' }, genres: ['Puzzle'], coverUrl: '/media/does-not-exist.png' }),
    gameInput({
      slug: 'mountain-farm',
      title: { en: 'Mountain Farm' },
      genres: ['Simulation'],
      coverUrl: '/covers/mountain-farm?title=Mountain%20Farm',
      regions: { sale: { mode: 'except', countries: ['KR'] }, play: { mode: 'everywhere', countries: [] } },
    }),
  ];
  for (const g of games) expect((await op.post('/api/operator/games', g)).status).toBe(201);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signUpInBrowser(page: Page, email: string, country: string, language: string) {
  await page.goto(`${t.url}/signup`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'correct horse battery');
  await page.fill('input[name=name]', 'Minji');
  await page.selectOption('select[name=country]', country);
  await page.selectOption('select[name=language]', language);
  await page.click('form.auth button[type=submit]');
  await page.waitForSelector('a.account-link, [role=alert]');
  expect(await page.locator('[role=alert]').count(), await page.locator('[role=alert]').allTextContents().then(String)).toBe(0);
}

describe('storefront in Chromium', () => {
  it('R8 S1.3 R1 a player signs up, searches in Korean, opens the game page with the price in won, and sees a region-locked game as unavailable', async () => {
    const page = await browser.newPage({ locale: 'ko-KR' });
    await signUpInBrowser(page, 'minji@example.test', 'KR', 'ko');
    await page.fill('input[role=search], form[role=search] input', '스타라이트');
    await page.press('form[role=search] input', 'Enter');
    await page.waitForSelector('[data-testid=game-card]');
    const cards = await page.locator('[data-testid=game-card] .card-title').allTextContents();
    expect(cards).toContain('스타라이트 레이더스');
    await page.click('text=스타라이트 레이더스');
    await page.waitForSelector('[data-testid=buy-box]');
    expect(await page.textContent('h1')).toBe('스타라이트 레이더스');
    expect(await page.textContent('[data-testid=edition-price]')).toBe('₩55,000');
    await page.screenshot({ path: `${shots}/game-page-kr.png`, fullPage: true });

    await page.goto(`${t.url}/games/mountain-farm`);
    await page.waitForSelector('[data-testid=unavailable]');
    expect(await page.getAttribute('[data-testid=unavailable]', 'data-reason')).toBe('not_sold_in_country');
    await page.close();
  });

  it('R8 type-ahead: titles appear under the search box as a visitor types (a word inside a Korean title too); arrows and Enter open one', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    const box = page.locator('form[role=search] input[role=combobox]');
    await box.fill('star');
    await page.waitForSelector('[role=listbox] [role=option]');
    expect(await page.locator('[role=listbox] [role=option]').allTextContents()).toEqual(['Starlight Raiders']);
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await page.locator('[role=option]').first().getAttribute('id'));
    await box.press('Enter');
    await page.waitForSelector('[data-testid=buy-box]');
    expect(page.url()).toBe(`${t.url}/games/starlight-raiders`);
    await page.close();

    const ko = await browser.newPage({ locale: 'ko-KR' });
    await ko.context().addCookies([{ name: 'store_language', value: 'ko', url: t.url }]);
    await ko.goto(`${t.url}/`);
    await ko.locator('form[role=search] input').fill('레이더');
    await ko.waitForSelector('[role=listbox] [role=option]');
    expect(await ko.locator('[role=listbox] [role=option]').allTextContents()).toEqual(['스타라이트 레이더스']);
    await ko.screenshot({ path: `${shots}/type-ahead-ko.png` });
    await ko.locator('form[role=search] input').press('Escape');
    expect(await ko.locator('[role=listbox]').isHidden()).toBe(true);
    await ko.close();
  });

  it('S1.1 D4 an operator edits a price in the console; a second tab with the old version gets the conflict message', async () => {
    const op = await signInOperator(t);
    const { ctx, page } = await signedIn(browser, t.url, op);
    await page.goto(`${t.url}/console`);
    await page.click('text=Starlight Raiders');
    await page.waitForSelector('text=version 1');
    const stale = await ctx.newPage();
    await stale.goto(page.url());
    await stale.waitForSelector('text=version 1');

    const amount = page.locator('input[aria-label=Amount]').first();
    await amount.fill('39.99');
    await page.click('button:text("Save")');
    await page.waitForSelector('text=Saved as version 2.');
    await page.screenshot({ path: `${shots}/console-editor.png`, fullPage: true });

    await stale.fill('input[name=developer]', 'Someone Else');
    await stale.click('button:text("Save")');
    const alert = await stale.waitForSelector('[role=alert]');
    expect(await alert.textContent()).toMatch(/Someone else saved this game/);
    await ctx.close();

    const visitor = await browser.newPage();
    await visitor.goto(`${t.url}/games/starlight-raiders`);
    await visitor.waitForSelector('[data-testid=edition-price]');
    expect(await visitor.textContent('[data-testid=edition-price]')).toBe('$39.99');
    await visitor.close();
  });

  it('S2.6 S2.4 a player adds a friend by name and the friend accepts on the friends page', async () => {
    const jun = await signUp(t, { name: 'Jun Park', country: 'KR' });
    const mia = await signUp(t, { name: 'Mia Schulz', country: 'DE' });
    const open = (c: Client) => signedIn(browser, t.url, c);
    const a = await open(jun.client);
    await a.page.goto(`${t.url}/friends`);
    await a.page.fill('input[aria-label="Name or email"]', 'Mia');
    await a.page.click('.friends form button[type=submit]');
    await a.page.click('button:text("Add friend")');
    await a.page.waitForSelector('text=Friend request sent to Mia Schulz.');

    const b = await open(mia.client);
    await b.page.goto(`${t.url}/friends`);
    await b.page.waitForSelector('[data-testid=incoming]');
    await b.page.click('[data-testid=incoming] button:text("Accept")');
    await b.page.waitForSelector('[data-testid=friend]');
    expect(await b.page.textContent('[data-testid=friend]')).toContain('Jun Park');
    await b.page.screenshot({ path: `${shots}/friends.png`, fullPage: true });
    await a.page.reload();
    await a.page.waitForSelector('[data-testid=friend]');
    expect(await a.page.textContent('[data-testid=friend]')).toContain('Mia Schulz');
    await a.ctx.close();
    await b.ctx.close();
  });

  it('R8 a game without a cover, or whose cover is gone, shows the generated cover on its page and on cards — never a broken image', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    for (const slug of ['bare-bones', 'lost-cover']) {
      await page.goto(`${t.url}/games/${slug}`);
      await page.waitForSelector('[data-testid=game-cover]');
      await page.waitForFunction(() => {
        const i = document.querySelector('[data-testid=game-cover]') as HTMLImageElement;
        return i.complete && i.naturalWidth > 0;
      });
      expect(await page.getAttribute('[data-testid=game-cover]', 'src')).toContain(`/covers/${slug}`);
    }
    await page.goto(`${t.url}/search?q=Puzzle`);
    await page.waitForSelector('text=Bare Bones');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('img')].every((i) => i.getAttribute('src') && i.complete && i.naturalWidth > 0),
    );
    await ctx.close();
  });

  it('S1.3 signed out, Pre-order leads to sign-in and then back to the checkout, not to the home page', async () => {
    const { email } = await signUp(t, { country: 'US' });
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(`${t.url}/games/starlight-raiders`);
    await page.click('[data-testid=buy]');
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'correct horse battery');
    await page.click('form.auth button[type=submit]');
    await page.waitForURL(`${t.url}/games/starlight-raiders/checkout`);
    await page.waitForSelector('[data-testid=amount-due]');
    await ctx.close();
    // A next that points to another site is not followed: home instead.
    const other = await browser.newContext({ locale: 'en-US' });
    const p2 = await other.newPage();
    await p2.goto(`${t.url}/login?next=${encodeURIComponent('//evil.example/')}`);
    await p2.fill('input[name=email]', email);
    await p2.fill('input[name=password]', 'correct horse battery');
    await p2.click('form.auth button[type=submit]');
    await p2.waitForURL(`${t.url}/`);
    await other.close();
  });
});
