import { chromium, type Browser } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Debian's Chromium, headless; Playwright gives it a fresh temporary profile. The caller must close() it. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * A browser context signed in as `client` (its session cookies), one page in it; confirm dialogs are accepted, as a
 * player who means it would. Close the context when done.
 */
export async function signedIn(browser: Browser, baseUrl: string, client: { cookies: Map<string, string> }, locale = 'en-US') {
  const ctx = await browser.newContext({ locale });
  await ctx.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: baseUrl })));
  const page = await ctx.newPage();
  page.on('dialog', (d) => void d.accept());
  return { ctx, page };
}

/** A WCAG 2.x A/AA violation axe-core found on a page: its rule, impact and where. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (Deque's accessibility engine, the one browser devtools use) on the page as it is now, against the
 * WCAG 2.0/2.1 A and AA rules; returns the serious and critical violations.
 */
export async function seriousAxeViolations(page: import('playwright-core').Page): Promise<AxeViolation[]> {
  // Evaluated over the devtools protocol, which the store's Content-Security-Policy (script-src 'self') does not govern.
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations as { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} (${n.failureSummary?.replace(/\s+/g, ' ').slice(0, 160)})`),
    }));
}

/**
 * What a keyboard user does: presses Tab until the focused element matches `selector` (and, if given, has exactly
 * `text`), at most 80 times; fails when it cannot be reached.
 */
export async function tabTo(page: import('playwright-core').Page, selector: string, text?: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(
      ([s, x]) => (document.activeElement?.matches(s!) ?? false) && (!x || document.activeElement?.textContent?.trim() === x),
      [selector, text],
    );
    if (hit) return;
  }
  throw new Error(`${selector}${text ? ` "${text}"` : ''} cannot be reached with Tab`);
}
