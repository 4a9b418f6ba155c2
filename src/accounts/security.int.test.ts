import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { secretOf, totp } from '../../test/totp.ts';

let t: TestStore;
beforeAll(async () => {
  // Rate limits on, and X-Forwarded-For believed, so the test can play many client addresses.
  t = await startTestStore({ env: { AUTH_RATE_LIMIT: 'on', TRUST_PROXY: 'true' } });
});
afterAll(() => t?.close());

let ipSeq = 0;
/** A fresh client address per call, so Better Auth's per-IP budget does not mix tests. */
const freshIp = () => ({ 'x-forwarded-for': `198.51.100.${(++ipSeq % 250) + 1}` });

async function enable2fa(c: Client, password: string, ip = freshIp()) {
  const enabled = await c.post('/api/auth/two-factor/enable', { password }, ip);
  expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
  expect(enabled.body.totpURI).toMatch(/^otpauth:\/\/totp\//);
  expect(enabled.body.backupCodes.length).toBeGreaterThanOrEqual(8);
  const secret = secretOf(enabled.body.totpURI);
  expect((await c.post('/api/auth/two-factor/verify-totp', { code: totp(secret) }, ip)).status).toBe(200);
  return { secret, backupCodes: enabled.body.backupCodes as string[] };
}

describe('two-factor authentication, operators, rate limits (R7, D2)', () => {
  it('R7 TOTP enrolment, then sign-in needs the code; a backup code works once', async () => {
    const { client, email } = await signUp(t, { name: 'Careful Player' });
    const password = 'correct horse battery';
    const { secret, backupCodes } = await enable2fa(client, password);
    expect((await client.get('/api/me')).body.twoFactor).toBe(true);

    const c = new Client(t.url);
    const ip = freshIp();
    const first = await c.post('/api/auth/sign-in/email', { email, password }, ip);
    expect(first.status).toBe(200);
    expect(first.body.twoFactorRedirect).toBe(true);
    expect((await c.get('/api/me')).status).toBe(401); // no session until the second step
    // Enrolment used this step's code and a code signs in once: the next step's (accepted ±1 step).
    expect((await c.post('/api/auth/two-factor/verify-totp', { code: totp(secret, Date.now() + 30_000) }, ip)).status).toBe(200);
    expect((await c.get('/api/me')).body.email).toBe(email);

    const b = new Client(t.url);
    const ip2 = freshIp();
    await b.post('/api/auth/sign-in/email', { email, password }, ip2);
    expect((await b.post('/api/auth/two-factor/verify-backup-code', { code: backupCodes[0] }, ip2)).status).toBe(200);
    expect((await b.get('/api/me')).status).toBe(200);
    const again = new Client(t.url);
    const ip3 = freshIp();
    await again.post('/api/auth/sign-in/email', { email, password }, ip3);
    expect((await again.post('/api/auth/two-factor/verify-backup-code', { code: backupCodes[0] }, ip3)).status).toBe(401);
  });

  it('R7 wrong codes lock the second step: after 5 failures even the right code is refused', async () => {
    const { client, email } = await signUp(t, { name: 'Target' });
    const password = 'correct horse battery';
    const { secret } = await enable2fa(client, password);
    const attacker = new Client(t.url);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A fresh sign-in (and address) each time: the lockout counts per account, not per attempt cookie or IP.
      const ip = freshIp();
      await attacker.post('/api/auth/sign-in/email', { email, password }, ip);
      const wrong = String((Number(totp(secret)) + 1 + i) % 1_000_000).padStart(6, '0');
      statuses.push((await attacker.post('/api/auth/two-factor/verify-totp', { code: wrong }, ip)).status);
    }
    expect(statuses.every((s) => s === 401 || s === 403 || s === 429)).toBe(true);
    const ip = freshIp();
    await attacker.post('/api/auth/sign-in/email', { email, password }, ip);
    const locked = await attacker.post('/api/auth/two-factor/verify-totp', { code: totp(secret) }, ip);
    expect(locked.status).toBeGreaterThanOrEqual(400);
    expect((await attacker.get('/api/me')).status).toBe(401);
  });

  it('R7 an operator without two-factor authentication is refused by the console API until they turn it on', async () => {
    const email = `op-${randomBytes(3).toString('hex')}@example.test`;
    const password = 'operator password 1';
    await t.store.accounts.ensureOperator(email, password);
    const c = new Client(t.url);
    const ip = freshIp();
    expect((await c.post('/api/auth/sign-in/email', { email, password }, ip)).status).toBe(200);
    const refused = await c.get('/api/operator/games', ip);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('two_factor_required');
    const { secret } = await enable2fa(c, password, ip);
    const fresh = new Client(t.url);
    const ip2 = freshIp();
    expect((await fresh.post('/api/auth/sign-in/email', { email, password }, ip2)).body.twoFactorRedirect).toBe(true);
    expect((await fresh.post('/api/auth/two-factor/verify-totp', { code: totp(secret, Date.now() + 30_000) }, ip2)).status).toBe(200);
    expect((await fresh.get('/api/operator/games', ip2)).status).toBe(200);
    // The harness's operator goes through the same steps.
    expect((await (await signInOperator(t)).get('/api/operator/games')).status).toBe(200);
  });

  it('D2 sign-in is rate-limited per IP and per account; sign-up per IP', async () => {
    const { email } = await signUp(t);
    // Per IP: Better Auth allows 5 sign-in attempts a minute from one address.
    const c = new Client(t.url);
    const ip = freshIp();
    const perIp: number[] = [];
    for (let i = 0; i < 7; i++)
      perIp.push((await c.post('/api/auth/sign-in/email', { email, password: `wrong password ${i}` }, ip)).status);
    expect(perIp.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(perIp.at(-1)).toBe(429);

    // Per account: 10 failures from 10 addresses, then the account refuses even a new address and the right password.
    const victim = await signUp(t);
    for (let i = 0; i < 10; i++)
      expect((await c.post('/api/auth/sign-in/email', { email: victim.email, password: 'guess guess guess' }, freshIp())).status).toBe(401);
    const blocked = await c.post('/api/auth/sign-in/email', { email: victim.email, password: 'correct horse battery' }, freshIp());
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');

    // Sign-ups: 5 per address per 10 minutes.
    const signUpIp = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (
          await new Client(t.url).post(
            '/api/accounts',
            {
              email: `burst-${i}-${randomBytes(3).toString('hex')}@example.test`,
              password: 'correct horse battery',
              name: 'Burst',
              country: 'US',
              language: 'en',
            },
            signUpIp,
          )
        ).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it('D2 the per-account sign-in budget is counted atomically: 40 wrong passwords at once, only 10 are tried', async () => {
    const victim = await signUp(t);
    const c = new Client(t.url);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        c.post('/api/auth/sign-in/email', { email: victim.email, password: `parallel guess ${i}` }, freshIp()).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
  });

  it('D2 behind a trusted proxy only the address the proxy saw counts: rotating X-Forwarded-For does not reset the per-IP budget', async () => {
    const { email } = await signUp(t);
    const c = new Client(t.url);
    const statuses: number[] = [];
    // The client writes what it likes on the left; the proxy appends the address it saw (the right-most entry).
    for (let i = 0; i < 7; i++)
      statuses.push(
        (await c.post('/api/auth/sign-in/email', { email, password: `wrong ${i}` }, { 'x-forwarded-for': `10.9.${i}.1, 198.51.100.251` }))
          .status,
      );
    expect(statuses.at(-1)).toBe(429);
  });

  it('R7 D2 a TOTP code signs in once; parallel wrong codes cannot outrun the lockout', async () => {
    const { client, email } = await signUp(t);
    const password = 'correct horse battery';
    const step = () => Math.floor(Date.now() / 30_000);
    const before = step();
    const { secret } = await enable2fa(client, password);
    // Enrolment used its step's code, and the store accepts a code one 30-second step either side of now: the next
    // step's code is a fresh one, without waiting for it.
    const codeStep = step() + 1;
    const code = totp(secret, codeStep * 30_000);
    const usedSteps = new Set([before, step(), codeStep]);
    const a = new Client(t.url);
    expect((await a.post('/api/auth/sign-in/email', { email, password }, freshIp())).body.twoFactorRedirect).toBe(true);
    expect((await a.post('/api/auth/two-factor/verify-totp', { code }, freshIp())).status).toBe(200);
    // Someone who saw the code (over a shoulder, a phishing page) tries it at once: refused.
    const b = new Client(t.url);
    expect((await b.post('/api/auth/sign-in/email', { email, password }, freshIp())).body.twoFactorRedirect).toBe(true);
    const replay = await b.post('/api/auth/two-factor/verify-totp', { code }, freshIp());
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('totp_code_already_used');
    expect((await b.get('/api/me')).status).toBe(401);

    // 20 wrong codes at once from 20 addresses against one pending sign-in: then even the right code is refused.
    const d = new Client(t.url);
    expect((await d.post('/api/auth/sign-in/email', { email, password }, freshIp())).body.twoFactorRedirect).toBe(true);
    const wrong = String((Number(totp(secret)) + 1) % 1_000_000).padStart(6, '0');
    await Promise.all(Array.from({ length: 20 }, () => d.post('/api/auth/two-factor/verify-totp', { code: wrong }, freshIp())));
    // A right code nobody has used, from a step the store accepts now; tried again if the step changed meanwhile (the
    // code could then be refused for its age, not for the lockout).
    for (;;) {
      const now = step();
      const fresh = [now, now + 1, now - 1].find((s) => !usedSteps.has(s));
      if (fresh === undefined) {
        // Only when enrolment straddled two steps (both count as used): the step after next is fresh.
        await vi.waitFor(() => expect(step()).toBeGreaterThan(now), { timeout: 35_000, interval: 200 });
        continue;
      }
      const after = await d.post('/api/auth/two-factor/verify-totp', { code: totp(secret, fresh * 30_000) }, freshIp());
      if (step() !== now) continue;
      expect(after.status).not.toBe(200);
      break;
    }
    expect((await d.get('/api/me')).status).toBe(401);
  }, 90_000);

  it('D2 the development mailbox (everyone’s mail) answers this machine only: another address gets a 404 with a sentence, also when it claims to be loopback', async () => {
    await signUp(t); // at least one mail in the sink
    for (const url of ['/dev/mailbox', '/dev/mailbox.json']) {
      const here = await t.store.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
      expect(here.statusCode).toBe(200);
      // Proxies are trusted in this store (TRUST_PROXY): the socket's own peer decides, never X-Forwarded-For.
      const away = await t.store.app.inject({
        method: 'GET',
        url,
        remoteAddress: '192.0.2.7',
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(away.statusCode).toBe(404);
      expect(away.json().error.message).toMatch(/only shown on the machine the store runs on/);
      expect(away.body).not.toContain('@example.test');
    }
    const page = await t.store.app.inject({ method: 'GET', url: '/dev/mailbox', remoteAddress: '::1' });
    expect(page.body).toContain('shown only on this machine');
  });
});
