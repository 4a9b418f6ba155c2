import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { Client, signUp, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
beforeAll(async () => {
  // Durable: the mail outbox is delivered. Rate limits on, and X-Forwarded-For believed, so each request plays its own client address.
  t = await startTestStore({ durable: true, env: { AUTH_RATE_LIMIT: 'on', TRUST_PROXY: 'true' } });
});
afterAll(() => t?.close());

let ipSeq = 0;
const freshIp = () => ({ 'x-forwarded-for': `192.0.2.${(++ipSeq % 250) + 1}` });
const PASSWORD = 'correct horse battery';

/** The mails to `to` whose subject matches, once there are `n` of them. */
async function mailsTo(to: string, subject: RegExp, n = 1) {
  await vi.waitFor(() => expect(t.mailbox.to(to).filter((m) => subject.test(m.subject)).length).toBeGreaterThanOrEqual(n), {
    timeout: 10_000,
    interval: 50,
  });
  return t.mailbox.to(to).filter((m) => subject.test(m.subject));
}

/** The token of a reset link (it rides in the fragment: /reset-password#token=…). */
function tokenIn(text: string): string {
  const m = /\/reset-password#token=([^\s]+)/.exec(text);
  expect(m, text).not.toBeNull();
  return decodeURIComponent(m![1]!);
}

describe('forgotten passwords (R7, D2)', () => {
  it('R7 D2 a mailed link sets a new password once; the old password, every session and API token end; the owner is told', async () => {
    const { client, email } = await signUp(t, { name: 'Forgetful' });
    const refresh = (await client.post('/api/tokens')).body.refreshToken as string;
    expect(refresh).toBeTruthy();

    const stranger = new Client(t.url);
    const asked = await stranger.post('/api/auth/request-password-reset', { email }, freshIp());
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const [mail] = await mailsTo(email, /Reset your Game Store password/);
    expect(mail!.text).toContain('Forgetful');
    expect(mail!.text).toContain(`${t.url}/reset-password#token=`);
    const token = tokenIn(mail!.text);

    const reset = await stranger.post('/api/auth/reset-password', { token, newPassword: 'a fresh long passphrase 9' }, freshIp());
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    // The session that was signed in before, and the launcher's refresh token, are gone.
    expect((await client.get('/api/me')).status).toBe(401);
    expect((await new Client(t.url).post('/api/tokens/refresh', { refreshToken: refresh })).status).toBe(401);
    // Old password refused, new one accepted.
    expect((await new Client(t.url).post('/api/auth/sign-in/email', { email, password: PASSWORD }, freshIp())).status).toBe(401);
    const again = new Client(t.url);
    expect((await again.post('/api/auth/sign-in/email', { email, password: 'a fresh long passphrase 9' }, freshIp())).status).toBe(200);
    expect((await again.get('/api/me')).body.email).toBe(email);
    // The link works once.
    const twice = await stranger.post('/api/auth/reset-password', { token, newPassword: 'someone elses passphrase 1' }, freshIp());
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('invalid_token');
    // The owner hears that the password changed, with the way back.
    const [notice] = await mailsTo(email, /password was changed/);
    expect(notice!.text).toContain(`${t.url}/forgot-password`);
  });

  it('R7 an address with no account gets the same answer and no mail', async () => {
    const { email } = await signUp(t);
    const nobody = `nobody-${Date.now()}@example.test`;
    const ip = freshIp();
    const unknown = await new Client(t.url).post('/api/auth/request-password-reset', { email: nobody }, ip);
    const known = await new Client(t.url).post('/api/auth/request-password-reset', { email }, freshIp());
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(known.body);
    // A reset mail is written to the outbox before the request answers: the known address has one, the unknown none.
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const rows = async (to: string) =>
        (await db.query(`select count(*)::int as n from mail_outbox where to_address = $1 and dedupe_key like 'password-reset:%'`, [to]))
          .rows[0].n;
      expect(await rows(email)).toBe(1);
      expect(await rows(nobody)).toBe(0);
    } finally {
      await db.end();
    }
    await mailsTo(email, /Reset your Game Store password/);
    expect(t.mailbox.to(nobody)).toEqual([]);
  });

  it('R7 reset mails to one address are limited (3 an hour), with a 429 that says how long to wait', async () => {
    const { email } = await signUp(t);
    const statuses: number[] = [];
    let refusal: { code: string; message: string } | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await new Client(t.url).post('/api/auth/request-password-reset', { email }, freshIp());
      statuses.push(r.status);
      if (r.status === 429) refusal = r.body.error;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(refusal!.code).toBe('too_many_attempts');
    expect(refusal!.message).toMatch(/password reset mails to this address/);
    expect(await mailsTo(email, /Reset your Game Store password/, 3)).toHaveLength(3);
  });

  it('R7 R1 the mails are in the player’s language, and a signed-in password change is announced too', async () => {
    const { client, email } = await signUp(t, { name: '민수', language: 'ko', country: 'KR' });
    expect((await new Client(t.url).post('/api/auth/request-password-reset', { email }, freshIp())).status).toBe(200);
    const [mail] = await mailsTo(email, /비밀번호 재설정/);
    expect(mail!.text).toContain('민수님');
    const changed = await client.post('/api/auth/change-password', { currentPassword: PASSWORD, newPassword: 'lantern otter gravel 7' });
    expect(changed.status).toBe(200);
    const [notice] = await mailsTo(email, /비밀번호가 변경되었습니다/);
    expect(notice!.text).toContain('/forgot-password');
  });
});
