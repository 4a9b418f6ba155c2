import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect((await c.post('/api/auth/two-factor/verify-totp', { code: totp(secret) }, ip)).status).toBe(200);
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
    expect((await fresh.post('/api/auth/two-factor/verify-totp', { code: totp(secret) }, ip2)).status).toBe(200);
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
    for (let i = 0; i < 7; i++) perIp.push((await c.post('/api/auth/sign-in/email', { email, password: `wrong password ${i}` }, ip)).status);
    expect(perIp.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(perIp.at(-1)).toBe(429);

    // Per account: 10 failures from 10 addresses, then the account refuses even a new address and the right password.
    const victim = await signUp(t);
    for (let i = 0; i < 10; i++) expect((await c.post('/api/auth/sign-in/email', { email: victim.email, password: 'guess guess guess' }, freshIp())).status).toBe(401);
    const blocked = await c.post('/api/auth/sign-in/email', { email: victim.email, password: 'correct horse battery' }, freshIp());
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');

    // Sign-ups: 5 per address per 10 minutes.
    const signUpIp = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await new Client(t.url).post('/api/accounts', { email: `burst-${i}-${randomBytes(3).toString('hex')}@example.test`, password: 'correct horse battery', name: 'Burst', country: 'US', language: 'en' }, signUpIp)).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });
});
