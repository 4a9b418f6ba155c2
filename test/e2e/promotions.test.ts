import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';
import { instantToZoned } from '../../src/platform/zoned-time.ts';

let t: TestStore;
let browser: Browser;
let op: Awaited<ReturnType<typeof signInOperator>>;
let gameId: string;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-12-10T02:00:00Z', durable: true });
  op = await signInOperator(t);
  const g = await op.post(
    '/api/operator/games',
    gameInput({
      slug: 'night-runner',
      title: { en: 'Night Runner' },
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 2000 }] }],
    }),
  );
  gameId = g.body.id;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('a flash sale in Chromium (R5)', () => {
  it('R5 R6 S1.5 the operator schedules a flash sale and a waiting room in the console (Tokyo time); at the start the storefront shows the struck-through price and a countdown; a buyer passes the waiting room and pays the sale price', async () => {
    // The operator, in the console: 30 % off Night Runner from 10 minutes from now to 2 hours later, Tokyo time.
    const console = await signedIn(browser, t.url, op);
    const at = (minutes: number) => instantToZoned(new Date(t.clock.now().getTime() + minutes * 60_000), 'Asia/Tokyo');
    await console.page.goto(`${t.url}/console`);
    await console.page.click('[data-testid=promotions-link]');
    await console.page.waitForSelector('[data-testid=promotion-form]');
    const form = console.page.locator('[data-testid=promotion-form]');
    await form.getByLabel('Name').fill('Flash sale');
    await form.getByLabel('Percent off').fill('30');
    await form.locator('select[aria-label=Games]').selectOption([gameId]);
    await form.locator('input[aria-label="Time zone"]').fill('Asia/Tokyo');
    await form.locator('input[aria-label=Starts]').fill(at(10));
    await form.locator('input[aria-label=Ends]').fill(at(130));
    await form.locator('button[type=submit]').click();
    await console.page.waitForSelector(
      '[data-testid=promotion-row][data-name="Flash sale"] [data-testid=promotion-state]:text("scheduled")',
    );
    // The launch spike: checkout behind a waiting room from the sale's start, 600 visitors a minute.
    const rooms = console.page.locator('[data-testid=room-form]');
    await rooms.locator('select[aria-label="Room game"]').selectOption(gameId);
    await rooms.locator('input[aria-label="Room time zone"]').fill('Asia/Tokyo');
    await rooms.locator('input[aria-label="Room opens"]').fill(at(10));
    await rooms.locator('input[aria-label="Rate per minute"]').fill('600');
    await rooms.locator('button[type=submit]').click();
    await console.page.waitForSelector('[data-testid=room-row] .status:text("upcoming")');
    await console.page.screenshot({ path: `${shots}/console-promotions.png`, fullPage: true });

    // Before the start: the normal price.
    const { client } = await signUp(t, { country: 'US' });
    const buyer = await signedIn(browser, t.url, client);
    await buyer.page.goto(`${t.url}/games/night-runner`);
    await buyer.page.waitForSelector('[data-testid=edition-price]');
    expect(await buyer.page.textContent('[data-testid=edition-price]')).toBe('$20.00');
    expect(await buyer.page.locator('[data-testid=sale-badge]').count()).toBe(0);

    // The sale starts (the store's clock moves; the page judges time by it, not by the browser's).
    t.clock.advance(10 * 60_000 + 1000);
    await buyer.page.reload();
    await buyer.page.waitForSelector('[data-testid=sale-badge]');
    expect(await buyer.page.textContent('[data-testid=sale-badge]')).toBe('−30%');
    expect(await buyer.page.textContent('[data-testid=list-price]')).toBe('$20.00');
    expect(await buyer.page.textContent('[data-testid=edition-price]')).toBe('$14.00');
    expect(await buyer.page.textContent('[data-testid=countdown]')).toMatch(/^Offer ends in 01:59:\d\d$/);
    await buyer.page.screenshot({ path: `${shots}/game-on-sale.png`, fullPage: true });

    // It is on the sale page.
    await buyer.page.click('[data-testid=sale-link]');
    await buyer.page.waitForSelector('[data-testid=sale] [data-testid=game-card]');
    expect(await buyer.page.textContent('[data-testid=sale]')).toContain('Night Runner');

    // Checkout without passing the queue is refused (the API says so, whatever a page does).
    const skip = await client.post(
      '/api/orders',
      { gameId, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': 'skip-the-queue' },
    );
    expect(skip.status).toBe(403);
    expect(skip.body.error.code).toBe('waiting_room_required');

    // Buy goes through the waiting room: the buyer is let in and lands on checkout, which names the promotion.
    await buyer.page.goto(`${t.url}/games/night-runner`);
    await buyer.page.waitForSelector('[data-testid=waiting-room-note]');
    await buyer.page.click('[data-testid=buy]');
    await buyer.page.waitForURL(/\/checkout$/);
    await buyer.page.waitForSelector('[data-testid=promotion-line]');
    expect(await buyer.page.textContent('[data-testid=promotion-line]')).toBe('Flash sale');
    expect(await buyer.page.textContent('[data-testid=amount-due]')).toBe('$14.00');
    await buyer.page.check('input[value=card]');
    await buyer.page.click('form.checkout button[type=submit]');
    await buyer.page.waitForSelector('[data-testid=order][data-status=paid]', { timeout: 20_000 });
    const orders = (await client.get('/api/orders')).body as { gameId: string; paid: { amountMinor: number } }[];
    expect(orders.find((o) => o.gameId === gameId)?.paid.amountMinor).toBe(1400);
    await buyer.ctx.close();
    await console.ctx.close();
  });

  it('R5 the operator generates coupon codes usable 5 times each, edits the promotion (audited: who, which fields before → after), and a stale edit is refused with a sentence', async () => {
    const console = await signedIn(browser, t.url, op);
    await console.page.goto(`${t.url}/console/promotions`);
    const form = console.page.locator('[data-testid=promotion-form]');
    await form.getByLabel('Name').fill('Members week');
    await form.getByLabel('Percent off').fill('15');
    await form.locator('select[aria-label=Games]').selectOption([gameId]);
    await form.locator('input[aria-label="Generate codes"]').fill('3');
    await form.locator('input[aria-label="Uses per code"]').fill('5');
    await form.locator('button[type=submit]').click();
    await console.page.waitForSelector('[data-testid=coupons] li >> nth=2');
    const coupons = await console.page.$$eval('[data-testid=coupons] li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(coupons).toHaveLength(3);
    for (const c of coupons) expect(c).toMatch(/^[A-Z0-9-]{4,32} 0 \/ 5 used$/);
    const promotionId = ((await op.get('/api/operator/promotions')).body as { id: string; name: string }[]).find(
      (p) => p.name === 'Members week',
    )!.id;

    // Edit: 15 % → 25 %.
    await console.page.click('[data-testid=promotion-row][data-name="Members week"] button:text("Edit")');
    await console.page.waitForSelector('[data-testid=promotion-form] h2:text("Edit “Members week”")');
    expect(await form.getByLabel('Percent off').inputValue()).toBe('15');
    await form.getByLabel('Percent off').fill('25');
    await form.locator('button:text("Save changes")').click();
    const update = console.page.locator('[data-testid=audit-trail] li', { hasText: 'updated' });
    await update.first().waitFor();
    expect(await update.first().textContent()).toContain(op.email);
    expect(await update.first().textContent()).toMatch(/effect: .*"percent":15.* → .*"percent":25/);
    await console.page.screenshot({ path: `${shots}/console-promotion-edit.png`, fullPage: true });
    expect((await op.get(`/api/operator/promotions/${promotionId}`)).body.effect.percent).toBe(25);

    // Another operator saves in between: the open form's version is stale, and saving it says so.
    const current = await op.get(`/api/operator/promotions/${promotionId}`);
    const p = current.body;
    const other = await op.put(
      `/api/operator/promotions/${promotionId}`,
      {
        name: p.name,
        effect: p.effect,
        targets: p.targets,
        stacking: p.stacking,
        timeZone: p.timeZone,
        startsAt: p.startsAt,
        endsAt: p.endsAt,
      },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(other.status).toBe(200);
    await form.getByLabel('Name').fill('Members week (late)');
    await form.locator('button:text("Save changes")').click();
    await console.page.waitForSelector('[data-testid=promotion-form] [role=alert]:has-text("Someone else saved this promotion")');
    expect((await op.get(`/api/operator/promotions/${promotionId}`)).body.name).toBe('Members week');
    await console.ctx.close();
  });

  it('R5 S1.9 a bundle bought as one purchase: two games put in the cart are 15 % off each, paid with one payment, both in the library', async () => {
    const games: string[] = [];
    for (const [slug, title] of [
      ['star-forge', 'Star Forge'],
      ['moon-harbor', 'Moon Harbor'],
    ]) {
      const g = await op.post(
        '/api/operator/games',
        gameInput({
          slug: slug!,
          title: { en: title! },
          releaseDate: '2026-10-01',
          editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 2000 }] }],
        }),
      );
      games.push(g.body.id);
    }
    const bundle = await op.post('/api/operator/promotions', {
      name: 'Space pair',
      effect: { kind: 'bundle', games, minItems: 2, percent: 15 },
      stacking: 'best',
      timeZone: 'UTC',
      startsAt: instantToZoned(new Date(t.clock.now().getTime() - 3_600_000), 'UTC'),
    });
    expect(bundle.status).toBe(201);

    const { client } = await signUp(t, { country: 'US' });
    const buyer = await signedIn(browser, t.url, client);
    // The first game alone: full price in the cart.
    await buyer.page.goto(`${t.url}/games/star-forge`);
    await buyer.page.click('[data-testid=add-to-cart]');
    await buyer.page.waitForURL(/\/cart$/);
    await buyer.page.waitForSelector('[data-testid=cart-line]');
    expect(await buyer.page.textContent('[data-testid=cart-total]')).toBe('$20.00');
    await buyer.page.waitForSelector('[data-testid=cart-link]:text("Cart (1)")');
    // Its page now says it is in the cart, and leads there.
    await buyer.page.goto(`${t.url}/games/star-forge`);
    await buyer.page.waitForSelector('[data-testid=in-cart]');
    expect(await buyer.page.locator('[data-testid=add-to-cart]').count()).toBe(0);
    // With the second, the bundle applies to both.
    await buyer.page.goto(`${t.url}/games/moon-harbor`);
    await buyer.page.click('[data-testid=add-to-cart]');
    await buyer.page.waitForURL(/\/cart$/);
    await buyer.page.waitForSelector('[data-testid=cart-line] >> nth=1');
    expect(await buyer.page.$$eval('[data-testid=cart-line-price]', (els) => els.map((e) => e.textContent))).toEqual(['$17.00', '$17.00']);
    expect(await buyer.page.$$eval('[data-testid=cart-line] [data-testid=sale-badge]', (els) => els.map((e) => e.textContent))).toEqual([
      '−15%',
      '−15%',
    ]);
    expect(await buyer.page.textContent('[data-testid=cart-total]')).toBe('$34.00');
    await buyer.page.screenshot({ path: `${shots}/cart-bundle.png`, fullPage: true });
    await buyer.page.check('input[value=card]');
    await buyer.page.click('[data-testid=cart-pay]');
    await buyer.page.waitForSelector('[data-testid=checkout][data-status=paid]', { timeout: 20_000 });
    expect(await buyer.page.$$eval('[data-testid=checkout-order]', (els) => els.map((e) => e.getAttribute('data-status')))).toEqual([
      'paid',
      'paid',
    ]);
    expect(await buyer.page.textContent('[data-testid=checkout-paid]')).toBe('$34.00');
    await buyer.page.waitForSelector('[data-testid=cart-link]:text-is("Cart")');
    await buyer.page.screenshot({ path: `${shots}/checkout-paid.png`, fullPage: true });
    const library = ((await client.get('/api/library')).body as { gameId: string }[]).map((e) => e.gameId);
    expect(library.sort()).toEqual([...games].sort());
    // The cart is empty now.
    await buyer.page.goto(`${t.url}/cart`);
    await buyer.page.waitForSelector('[data-testid=cart] p.muted');
    expect(await buyer.page.locator('[data-testid=cart-line]').count()).toBe(0);
    await buyer.ctx.close();
  });
});
