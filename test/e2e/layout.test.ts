import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, seriousAxeViolations, signedIn, tabTo } from '../browser.ts';
import { complete } from '../../web/src/i18n.ts';

/**
 * The UI catalogues' English texts that Korean and Japanese say otherwise (no placeholders): none may show on a Korean
 * or Japanese page — a phrase anywhere in it, a single word as the whole text of a button, label or heading.
 */
const english = (Object.keys(complete.en) as (keyof typeof complete.en)[])
  .filter((k) => complete.en[k] !== complete.ko[k] && complete.en[k] !== complete.ja[k] && !complete.en[k].includes('{'))
  .map((k) => complete.en[k]);
const englishPhrases = [...new Set(english.filter((s) => /\w+[ -]\w+/.test(s)))];
const englishWords = new Set(english.filter((s) => !/\s/.test(s)));

let t: TestStore;
let browser: Browser;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(`${shots}/pages`, { recursive: true });
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

  it('R1 the main pages have no serious or critical WCAG 2.1 A/AA violations (axe-core), for visitors, players and operators', async () => {
    const { client } = await signUp(t, { name: 'Reader' });
    const op = await signInOperator(t);
    const pages: Record<'visitor' | 'player' | 'operator', string[]> = {
      visitor: ['/', '/search?q=game', '/sale', '/games/wide-1', '/login', '/signup', '/forgot-password'],
      player: [
        '/',
        '/games/wide-1',
        '/games/wide-1/checkout',
        '/games/wide-1/gift',
        '/account',
        '/purchases',
        '/library',
        '/gifts',
        '/friends',
        '/wishlist',
        '/points',
        '/cart',
      ],
      operator: ['/console', '/console/games/new', '/console/promotions', '/console/reports/gifts', '/console/alerts', '/console/chat'],
    };
    const found: string[] = [];
    for (const [who, paths] of Object.entries(pages)) {
      const { ctx, page } =
        who === 'visitor'
          ? await (async () => {
              const c = await browser.newContext();
              return { ctx: c, page: await c.newPage() };
            })()
          : await signedIn(browser, t.url, who === 'player' ? client : op);
      for (const path of paths) {
        await page.goto(`${t.url}${path}`);
        // Judged once the page has rendered its content, not its loading state.
        await page.waitForSelector('main :is(h1, h2, form, [data-testid=game-card])');
        await page.waitForFunction(() => !document.querySelector('main .loading'));
        for (const v of await seriousAxeViolations(page))
          found.push(`${who} ${path}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(' | ')}`);
      }
      await ctx.close();
    }
    expect(found).toEqual([]);
  }, 120_000); // many pages analysed: 39–50 s beside another test file on two cores (4 Dec)

  it('R1 keyboard alone: the first Tab stop skips to the content, and a player finds the Buy button and pays without a mouse', async () => {
    const { client } = await signUp(t, { name: 'Keys' });
    const { ctx, page } = await signedIn(browser, t.url, client);
    await page.goto(`${t.url}/games/wide-2`);
    await page.waitForSelector('[data-testid=buy-box]');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    await tabTo(page, '[data-testid=buy-box] a.buy');
    await page.keyboard.press('Enter');
    await page.waitForSelector('form.checkout');
    await tabTo(page, 'form.checkout button[type=submit]');
    await page.keyboard.press('Enter');
    // The player's default method here is a wallet: its approval page, with the keyboard too.
    await page.waitForSelector('button:text("Approve payment")');
    await tabTo(page, 'button', 'Approve payment');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=order][data-status=paid]', { timeout: 20_000 });
    await ctx.close();
  });

  it('R1 the newer pages in en, ko and ja at 1366 px and 390 px: a screenshot each, none wider than the screen, no page errors, no English left in ko and ja', async () => {
    const op = await signInOperator(t);
    const players = Object.fromEntries(
      await Promise.all(
        (['en', 'ko', 'ja'] as const).map(async (language) => [
          language,
          (await signUp(t, { name: `Reader ${language}`, language })).client,
        ]),
      ),
    );
    const pages = {
      player: [
        '/',
        '/search?q=game',
        '/games/wide-1',
        '/games/wide-1/checkout',
        '/games/wide-1/gift',
        '/library',
        '/friends',
        '/points',
        '/sale',
        '/purchases?all=1',
        '/account',
        '/wishlist',
        '/discovery',
        '/gifts',
        '/cart',
        '/no-such-page',
      ],
      operator: [
        '/console',
        '/console/games/new',
        '/console/promotions',
        '/console/regions',
        '/console/alerts',
        '/console/reports/gifts',
        '/console/chat',
      ],
    };
    const problems: string[] = [];
    for (const language of ['en', 'ko', 'ja'] as const) {
      await op.patch('/api/me', { language });
      for (const [who, paths] of Object.entries(pages)) {
        const { ctx, page } = await signedIn(browser, t.url, who === 'operator' ? op : players[language]!, language);
        page.on('pageerror', (e) => problems.push(`${language} ${page.url()}: ${e.message}`));
        // Nothing the pages ask for is missing (storefront issue bug 8: the favicon was a 404 on every page).
        page.on('response', (r) => {
          if (r.status() === 404) problems.push(`${language} ${page.url()}: 404 for ${r.url()}`);
        });
        for (const width of [1366, 390]) {
          await page.setViewportSize({ width, height: width > 1000 ? 900 : 844 });
          for (const path of paths) {
            await page.goto(`${t.url}${path}`);
            await page.waitForSelector('main :is(h1, h2)');
            await page.waitForFunction(() => !document.querySelector('main .loading'));
            if (language !== 'en' && width > 1000) {
              // What a reader sees or hears: the text, the options of the lists, and the labels of the controls.
              const shown = await page.evaluate(() => {
                const main = document.querySelector('main')!;
                const labels = [...main.querySelectorAll('[aria-label], [placeholder], [title], img[alt]')].map((e) =>
                  ['aria-label', 'placeholder', 'title', 'alt'].map((a) => e.getAttribute(a) ?? '').join(' '),
                );
                const options = [...main.querySelectorAll('option')].map((o) => o.textContent ?? '');
                // Single words only where the UI speaks (game data such as genre names comes as the catalogue has it).
                const leaves = [...main.querySelectorAll('button, a.button, label, th, legend, h1, h2, h3, summary, dt')]
                  .filter((e) => !e.children.length && !e.closest('[translate=no]'))
                  .map((e) => (e.textContent ?? '').trim());
                return { text: [main.innerText, ...labels, ...options].join('\n'), leaves };
              });
              for (const phrase of englishPhrases)
                if (shown.text.includes(phrase)) problems.push(`${language} ${path}: English "${phrase}"`);
              for (const leaf of new Set(shown.leaves)) if (englishWords.has(leaf)) problems.push(`${language} ${path}: English "${leaf}"`);
            }
            const wide = await page.evaluate(() => document.documentElement.scrollWidth);
            if (wide > width) {
              // Name the outermost element that sticks out, so the failure says what to fix.
              const culprit = await page.evaluate((w) => {
                const scrolls = (e: Element) =>
                  [...document.querySelectorAll('main *')].some(
                    (a) => a !== e && a.contains(e) && ['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX),
                  );
                const wide = (e: Element) => e.getBoundingClientRect().right > w + 1 && !scrolls(e);
                const name = (e: Element) =>
                  `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${(e.textContent ?? '').slice(0, 40)}"`;
                const out = [...document.querySelectorAll('main *')].find(wide);
                // …and the innermost element inside it that sticks out too: usually the one to fix.
                const inner = out ? [...out.querySelectorAll('*')].filter(wide).pop() : undefined;
                return out ? `${name(out)}${inner ? ` > ${name(inner)}` : ''}` : '?';
              }, width);
              problems.push(`${language} ${path} at ${width} px is ${wide} px wide: ${culprit}`);
            }
            const name = path.replace(/[/?=]+/g, '-').replace(/^-|-$/g, '');
            await page.screenshot({ path: `${shots}/pages/${name}-${width}-${language}.png`, fullPage: true });
          }
        }
        await ctx.close();
      }
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('R1 R5 keyboard alone in the console: an operator opens Promotions from the games list and saves a promotion without a mouse', async () => {
    const op = await signInOperator(t);
    const { ctx, page } = await signedIn(browser, t.url, op);
    await page.goto(`${t.url}/console`);
    await page.waitForSelector('[data-testid=promotions-link]');
    await tabTo(page, '[data-testid=promotions-link]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=promotion-form]');
    await tabTo(page, 'input[name=promotionName]');
    await page.keyboard.type('Keyboard week');
    await tabTo(page, 'input[aria-label="Percent off"]');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('15');
    await tabTo(page, 'button[type=submit]', 'Save promotion');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=promotion-row][data-name="Keyboard week"]');
    expect(
      ((await op.get('/api/operator/promotions')).body as { name: string; effect: { percent: number } }[]).find(
        (p) => p.name === 'Keyboard week',
      )?.effect.percent,
    ).toBe(15);
    await ctx.close();
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
