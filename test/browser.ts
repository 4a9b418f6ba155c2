import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';

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
