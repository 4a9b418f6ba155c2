import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, generateKeyPair, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { Client, signUp, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
beforeAll(async () => {
  t = await startTestStore({ durable: false });
});
afterAll(() => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('tokens for API clients and services (D2)', () => {
  it('D2 a signed-in user gets an access token any node verifies with the published JWKS, without a session', async () => {
    const { client, me } = await signUp(t, { country: 'KR', name: 'Token User' });
    const issued = await client.post('/api/tokens');
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const { accessToken } = issued.body;
    // Verified by a third party from the public key set alone.
    const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${t.url}/api/auth/jwks`)), {
      issuer: t.url,
      audience: t.url,
    });
    expect(payload).toMatchObject({ sub: me.id, country: 'KR', currency: 'KRW', role: 'player' });
    const lifetime = payload.exp! - Math.floor(Date.now() / 1000);
    expect(lifetime).toBeGreaterThan(880);
    expect(lifetime).toBeLessThanOrEqual(900);
    // The store itself accepts it in place of a cookie.
    const anonymous = new Client(t.url);
    const mine = await anonymous.get('/api/me', bearer(accessToken));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: me.id, country: 'KR' });
    expect((await anonymous.get('/api/points', bearer(accessToken))).status).toBe(200);
    // A token cannot mint tokens: that needs a session.
    expect((await anonymous.post('/api/tokens', undefined, bearer(accessToken))).body.error.code).toBe('session_required');
  });

  it('D2 expired, wrongly signed and tampered tokens are refused', async () => {
    const { client } = await signUp(t);
    const { accessToken } = (await client.post('/api/tokens')).body;
    const anonymous = new Client(t.url);
    // Signed with another key under the same key id and claims: refused.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const { kid } = decodeProtectedHeader(accessToken);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
    const r1 = await anonymous.get('/api/me', bearer(forged));
    expect(r1.status).toBe(401);
    expect(r1.body.error.code).toBe('invalid_token');
    // The real signature over changed claims: refused.
    const [h, , s] = accessToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'operator' })).toString('base64url')}.${s}`;
    expect((await anonymous.get('/api/me', bearer(tampered))).status).toBe(401);
    // A real token past its expiry: refused with its own code.
    const expired = await t.store.auth.api.signJWT({ body: { payload: { ...claims, exp: Math.floor(Date.now() / 1000) - 60 } } });
    const r3 = await anonymous.get('/api/me', bearer(expired.token));
    expect(r3.status).toBe(401);
    expect(r3.body.error.code).toBe('token_expired');
    expect((await anonymous.get('/api/me', bearer('not.a.jwt'))).status).toBe(401);
  });

  it('D2 a changed password ends the refresh tokens of every session of the account, another device’s too', async () => {
    const { client } = await signUp(t, { country: 'KR' });
    const here = (await client.post('/api/tokens')).body;
    // A second device of the same account.
    const other = new Client(t.url);
    const email = (await client.get('/api/me')).body.email as string;
    expect((await other.post('/api/auth/sign-in/email', { email, password: 'correct horse battery' })).status).toBe(200);
    const there = (await other.post('/api/tokens')).body;
    const anonymous = new Client(t.url);
    expect((await anonymous.post('/api/tokens/refresh', { refreshToken: there.refreshToken })).status).toBe(200);
    const changed = await client.post('/api/auth/change-password', {
      currentPassword: 'correct horse battery',
      newPassword: 'a brand new passphrase 7',
    });
    expect(changed.status).toBe(200);
    for (const token of [here.refreshToken, there.refreshToken]) {
      const r = await anonymous.post('/api/tokens/refresh', { refreshToken: token });
      expect(r.status).toBe(401);
    }
  });

  it('D2 refresh tokens rotate; a spent one presented again revokes the whole family; revoke ends it', async () => {
    const { client } = await signUp(t);
    const first = (await client.post('/api/tokens')).body;
    const anonymous = new Client(t.url);
    const second = await anonymous.post('/api/tokens/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await anonymous.get('/api/me', bearer(second.body.accessToken))).status).toBe(200);
    // The first refresh token again (a thief's copy): refused, and the family is revoked.
    const reuse = await anonymous.post('/api/tokens/refresh', { refreshToken: first.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');
    expect((await anonymous.post('/api/tokens/refresh', { refreshToken: second.body.refreshToken })).body.error.code).toBe(
      'invalid_refresh_token',
    );
    // Explicit revocation.
    const other = (await client.post('/api/tokens')).body;
    expect((await anonymous.post('/api/tokens/revoke', { refreshToken: other.refreshToken })).status).toBe(204);
    expect((await anonymous.post('/api/tokens/refresh', { refreshToken: other.refreshToken })).status).toBe(401);
    expect((await anonymous.post('/api/tokens/refresh', { refreshToken: 'made-up' })).body.error.code).toBe('invalid_refresh_token');
  });

  it('D2 R12 Better Auth’s own JWT (/api/auth/token) is not a store access token: no residence, no role, refused', async () => {
    const { client } = await signUp(t, { country: 'KR' });
    const own = await client.get('/api/auth/token');
    expect(own.status).toBe(200);
    const anonymous = new Client(t.url);
    const r = await anonymous.get('/api/me', bearer(own.body.token));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_token');
    expect((await anonymous.get('/api/library', bearer(own.body.token))).status).toBe(401);
  });

  it('D2 signing out, signing out everywhere and changing the password end the refresh tokens too', async () => {
    const anonymous = new Client(t.url);
    const refreshable = async (token: string) => (await anonymous.post('/api/tokens/refresh', { refreshToken: token })).status;

    const a = await signUp(t);
    const aTokens = (await a.client.post('/api/tokens')).body;
    expect((await a.client.post('/api/auth/sign-out', {})).status).toBe(200);
    expect(await refreshable(aTokens.refreshToken)).toBe(401);

    const b = await signUp(t);
    const bTokens = (await b.client.post('/api/tokens')).body;
    expect((await b.client.post('/api/auth/revoke-sessions', {})).status).toBe(200);
    expect(await refreshable(bTokens.refreshToken)).toBe(401);

    const c = await signUp(t);
    const cTokens = (await c.client.post('/api/tokens')).body;
    const changed = await c.client.post('/api/auth/change-password', {
      currentPassword: 'correct horse battery',
      newPassword: 'a brand new long passphrase',
      revokeOtherSessions: false,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await refreshable(cTokens.refreshToken)).toBe(401);
  });
});
