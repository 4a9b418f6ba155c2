import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(() => t?.close());

describe('accounts over HTTP', () => {
  it('R1 R12 sign-up records country of residence, language and the country currency; the session cookie signs the user in', async () => {
    const { client, email } = await signUp(t, { country: 'KR', language: 'ko' });
    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, country: 'KR', language: 'ko', currency: 'KRW', role: 'player' });
  });

  it('R1 sign in with email and password, sign out ends the session', async () => {
    const { email } = await signUp(t, { country: 'JP', language: 'ja' });
    const browser = new Client(t.url);
    const wrong = await browser.post('/api/auth/sign-in/email', { email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_email_or_password' });
    const ok = await browser.post('/api/auth/sign-in/email', { email, password: 'correct horse battery' });
    expect(ok.status).toBe(200);
    expect((await browser.get('/api/me')).body).toMatchObject({ email, country: 'JP', currency: 'JPY' });
    expect((await browser.post('/api/auth/sign-out', {})).status).toBe(200);
    const after = await browser.get('/api/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('not_signed_in');
  });

  it('R12 sign-up refuses an unknown country, a duplicate email and a short password with codes and sentences', async () => {
    const c = new Client(t.url);
    const base = { email: 'dupe@example.test', password: 'correct horse battery', name: 'A', country: 'US', language: 'en' };
    const badCountry = await c.post('/api/accounts', { ...base, country: 'XX' });
    expect(badCountry.status).toBe(400);
    expect(badCountry.body.error).toMatchObject({ code: 'unknown_country' });
    expect(badCountry.body.error.message).toMatch(/country/);
    expect((await c.post('/api/accounts', base)).status).toBe(201);
    const dupe = await new Client(t.url).post('/api/accounts', base);
    expect(dupe.status).toBe(409);
    expect(dupe.body.error.code).toBe('email_taken');
    const short = await new Client(t.url).post('/api/accounts', { ...base, email: 'short@example.test', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('invalid_request');
  });

  it("R12 Better Auth's own sign-up route is closed so no account is created without a country", async () => {
    const res = await new Client(t.url).post('/api/auth/sign-up/email', {
      email: 'raw@example.test',
      password: 'correct horse battery',
      name: 'Raw',
    });
    expect(res.status).toBe(404);
  });

  it('R1 language and currency can be changed; the country of residence is not part of preferences', async () => {
    const { client } = await signUp(t, { country: 'DE', language: 'de' });
    const res = await client.patch('/api/me', { language: 'en', currency: 'USD' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ country: 'DE', language: 'en', currency: 'USD' });
    const country = await client.patch('/api/me', { country: 'US' });
    expect(country.status).toBe(400);
    expect(country.body.error.message).toContain('"country" is not a field');
    expect((await client.get('/api/me')).body.country).toBe('DE');
  });

  it('S1.1 R7 an operator is created by the operator command path; players and visitors cannot use the console API, nor an operator without two-factor authentication', async () => {
    const { client: player } = await signUp(t);
    expect((await player.get('/api/operator/games')).status).toBe(403);
    expect((await new Client(t.url).get('/api/operator/games')).status).toBe(401);
    const { email } = await signUp(t);
    const promoted = await t.store.accounts.ensureOperator(email, 'ignored-for-existing');
    expect(promoted.created).toBe(false);
    const op = new Client(t.url);
    await op.post('/api/auth/sign-in/email', { email, password: 'correct horse battery' });
    expect((await op.get('/api/me')).body.role).toBe('operator');
    // Operators must turn on two-factor authentication first (security.int.test.ts turns it on).
    const refused = await op.get('/api/operator/games');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('two_factor_required');
    expect((await (await signInOperator(t)).get('/api/operator/games')).status).toBe(200);
  });

  it('S1.1 npm run operator:create makes the first operator from the command line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/create-operator.ts', '--email', 'first-op@example.test', '--password', 'first operator pw'],
        {
          env: { ...process.env, DATABASE_URL: t.databaseUrl, DATA_DIR: dataDir, DEMO_CATALOG: 'off' },
        },
      );
      expect(stdout).toContain('Operator first-op@example.test created.');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    const op = new Client(t.url);
    expect((await op.post('/api/auth/sign-in/email', { email: 'first-op@example.test', password: 'first operator pw' })).status).toBe(200);
    expect((await op.get('/api/me')).body).toMatchObject({ role: 'operator', email: 'first-op@example.test' });
  });

  it('D2 a write from another site is refused (CSRF) even with a valid session cookie', async () => {
    const { client } = await signUp(t);
    const res = await client.patch('/api/me', { language: 'fr' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_site_request');
  });

  it('R1 signing in works on every loopback spelling of the store’s address (localhost, 127.0.0.1)', async () => {
    const { email } = await signUp(t);
    const port = new URL(t.url).port;
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      const c = new Client(t.url);
      const r = await c.post('/api/auth/sign-in/email', { email, password: 'correct horse battery' }, { origin });
      expect(r.status, `${origin}: ${JSON.stringify(r.body)}`).toBe(200);
      expect((await c.get('/api/me')).status).toBe(200);
    }
    // Another site is still refused.
    const evil = await new Client(t.url).post(
      '/api/auth/sign-in/email',
      { email, password: 'correct horse battery' },
      { origin: 'http://evil.example' },
    );
    expect(evil.status).toBe(403);
  });

  it('D2 passwords attackers guess first are refused at sign-up and at a password change, with a sentence', async () => {
    for (const password of ['password12', 'Qwerty!2024', '1234567890', 'abcdefghijk', 'aaaaaaaaaaaa', 'abab1212abab']) {
      const r = await new Client(t.url).post('/api/accounts', {
        email: `weak-${password.length}-${Math.random().toString(36).slice(2)}@example.test`,
        password,
        name: 'Weak',
        country: 'US',
        language: 'en',
      });
      expect(r.status, password).toBe(400);
      expect(r.body.error.code).toBe('password_too_guessable');
    }
    const { client } = await signUp(t);
    const change = await client.post('/api/auth/change-password', {
      currentPassword: 'correct horse battery',
      newPassword: 'password2024',
    });
    expect(change.status).toBe(400);
    expect(change.body.error.code).toBe('password_too_guessable');
    // A phrase of unrelated words is fine.
    expect(
      (await client.post('/api/auth/change-password', { currentPassword: 'correct horse battery', newPassword: 'lantern otter gravel 7' }))
        .status,
    ).toBe(200);
  });
});
