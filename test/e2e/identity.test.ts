import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { Client, signUp, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';
import { secretOf, totp } from '../totp.ts';

let t: TestStore;
let browser: Browser;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({
    env: {
      AUTH_SOCIAL_PROVIDERS: JSON.stringify({
        google: { clientId: 'g', clientSecret: 'g' },
        kakao: { clientId: 'k', clientSecret: 'k' },
        line: { clientId: 'l', clientSecret: 'l' },
      }),
    },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('identity in Chromium (R7)', () => {
  it('R7 R1 the login page offers the visitor’s country’s providers first; an operator turns on TOTP on the account page, then signs in with password + code and opens the console', async () => {
    const email = `op-${randomBytes(3).toString('hex')}@example.test`;
    const password = 'operator password 1';
    await t.store.accounts.ensureOperator(email, password, 'KR');
    const ctx = await browser.newContext();
    // A visitor shopping from Korea (the storefront's country choice).
    await ctx.addCookies([{ name: 'store_country', value: 'KR', url: t.url }]);
    const page = await ctx.newPage();

    await page.goto(`${t.url}/login`);
    await page.waitForSelector('[data-testid=providers] button');
    const buttons = await page.$$eval('[data-testid=providers] button', (bs) => bs.map((b) => b.textContent));
    expect(buttons[0]).toBe('Continue with Kakao');
    expect(buttons).toEqual(expect.arrayContaining(['Continue with Google', 'Continue with LINE']));
    await page.screenshot({ path: `${shots}/login-providers-kr.png`, fullPage: true });

    // First sign-in: no second factor yet; the console refuses until it is on.
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form.auth button[type=submit]');
    await page.waitForURL(`${t.url}/`);
    await page.goto(`${t.url}/account`);
    // The password field has a label (for screen readers), not only a placeholder.
    expect(await page.getAttribute('input[name=tfaPassword]', 'id')).toBe('tfa-password');
    expect(await page.textContent('label[for=tfa-password]')).toBe('Your password');
    await page.fill('input[name=tfaPassword]', password);
    await page.click('[data-testid=two-factor-setup] button[type=submit]');
    const uri = await page.textContent('[data-testid=totp-uri]');
    const secret = secretOf(uri!);
    // Issue 16 bug 10: a QR code to scan and the bare key to type.
    await page.waitForSelector('[data-testid=totp-qr]');
    expect(await page.getAttribute('[data-testid=totp-qr]', 'src')).toMatch(/^data:image\/svg\+xml/);
    expect((await page.textContent('[data-testid=totp-key]'))!.replace(/\s/g, '')).toBe(secret);
    await page.screenshot({ path: `${shots}/two-factor-setup.png`, fullPage: true });

    expect(await page.$$('.backup-codes li')).toHaveLength(10);
    await page.fill('input[name=totpCode]', totp(secret));
    await page.click('[data-testid=two-factor-setup] button[type=submit]');
    await page.waitForSelector('[data-testid=two-factor-on]');

    // Sign out, sign in again: password, then the code.
    await page.click('button:text("Sign out")');
    await page.goto(`${t.url}/login`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form.auth button[type=submit]');
    await page.waitForSelector('[data-testid=two-factor-challenge]');
    await page.screenshot({ path: `${shots}/two-factor-challenge.png`, fullPage: true });
    // The enrolment used this step's code, and a code signs in once: the next step's (accepted ±1 step).
    await page.fill('input[name=code]', totp(secret, Date.now() + 30_000));
    await page.click('[data-testid=two-factor-challenge] button[type=submit]');
    await page.waitForURL(`${t.url}/`);
    await page.goto(`${t.url}/console`);
    await page.waitForSelector('text=Register a game');
    const cookies = await ctx.cookies();
    const api = new Client(t.url);
    for (const c of cookies) api.cookies.set(c.name, c.value);
    expect((await api.get('/api/operator/games')).status).toBe(200);
    await ctx.close();
  });

  it('R7 D2 a player adds a passkey on the account page and signs in with it alone, in Chromium with a virtual authenticator', async () => {
    // Passkeys belong to a domain name: the store on a loopback address is used as localhost (an IP is no RP ID).
    const site = t.url.replace('127.0.0.1', 'localhost');
    const { client, email } = await signUp(t, { name: 'Passkey Player' });
    const { ctx, page } = await signedIn(browser, site, client);
    // Chromium's WebAuthn test domain: a platform authenticator that holds discoverable keys and verifies its user.
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    await page.goto(`${site}/account`);
    await page.waitForSelector('[data-testid=passkeys]');
    await expect.poll(() => page.textContent('[data-testid=passkeys]')).toContain('No passkeys yet.');
    await page.fill('input[name=passkeyName]', 'Test laptop');
    await page.click('[data-testid=passkeys] button[type=submit]');
    await page.waitForSelector('[data-testid=passkey]:has-text("Test laptop")');
    await page.screenshot({ path: `${shots}/passkeys.png`, fullPage: true });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');

    await page.click('button:text("Sign out")');
    await page.goto(`${site}/login`);
    await page.click('[data-testid=passkey-sign-in] button');
    await page.waitForURL(`${site}/`);
    await page.goto(`${site}/account`);
    await page.waitForSelector(`text=${email}`);
    await page.waitForSelector('[data-testid=passkey]:has-text("last used")');
    // The authenticator signed once: its counter says so.
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!.signCount).toBeGreaterThanOrEqual(1);
    await ctx.close();
  });

  it('R7 a player who forgot their password asks for a link on the sign-in page, opens it from the mail and signs in with the new one', async () => {
    const { email } = await signUp(t, { name: 'Forgetful Player' });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/login`);
    await page.click('a:text("Forgot your password?")');
    await page.waitForURL(`${t.url}/forgot-password`);
    await page.fill('input[name=email]', email);
    await page.click('form.auth button[type=submit]');
    expect(await page.textContent('[role=status]')).toContain(email);

    // This store is not durable: the outbox is delivered by hand, to the SMTP sink.
    await t.store.mail.deliverDue();
    const mail = t.mailbox.to(email).find((m) => /Reset your Game Store password/.test(m.subject));
    const link = /(http\S+\/reset-password#token=\S+)/.exec(mail?.text ?? '')?.[1];
    expect(link, mail?.text).toBeTruthy();
    await page.goto(link!);
    await page.waitForSelector('input[name=newPassword]');
    // The token left the address bar (and the history) once the page had it.
    expect(page.url()).toBe(`${t.url}/reset-password`);
    await page.fill('input[name=newPassword]', 'a quiet new passphrase 4');
    await page.click('form.auth button[type=submit]');
    expect(await page.textContent('[role=status]')).toContain('Your password is changed');
    await page.screenshot({ path: `${shots}/password-reset-done.png`, fullPage: true });

    await page.click('form.auth a:text("Sign in")');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'a quiet new passphrase 4');
    await page.click('form.auth button[type=submit]');
    await page.waitForURL(`${t.url}/`);
    expect((await (await page.request.get(`${t.url}/api/me`)).json()).email).toBe(email);

    // The same link a second time: the page says it expired or was used.
    const again = await ctx.newPage();
    await again.goto(link!);
    await again.fill('input[name=newPassword]', 'another passphrase 55');
    await again.click('form.auth button[type=submit]');
    expect(await again.textContent('form.auth [role=alert]')).toBe('This link has expired or was already used. Ask for a new one.');
    await ctx.close();
  });
});
