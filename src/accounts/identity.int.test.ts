import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { Client, startTestStore, type TestStore } from '../../test/harness.ts';
import { freePort } from '../../test/ports.ts';
import { secretOf, totp } from '../../test/totp.ts';

/**
 * R7 with a real OpenID Connect provider on loopback (the `oidc-provider` package) playing "a new country's
 * IdP", added to the store by configuration alone: authorization code + PKCE, account creation, linking to an
 * existing account only with proof, refusal of a tampered state. Also the provider list per country and the
 * breached-password check over the k-anonymity range protocol (a local range server).
 */
let t: TestStore;
let storeUrl = '';
let idpServer: Server;
let rangeServer: Server;
const rangeQueries: string[] = [];
const people: Record<string, { email: string; name: string }> = {
  alice: { email: 'alice@idp.test', name: 'Alice from the IdP' },
  bob: { email: 'bob@idp.test', name: 'Bob Both' },
  carol: { email: 'carol@idp.test', name: 'Carol' },
  erin: { email: 'erin@idp.test', name: 'Erin Operator' },
  frank: { email: 'frank@idp.test', name: 'Frank' },
};
let issuerUrl = '';
const BREACHED = 'password123456';

beforeAll(async () => {
  const [idpPort, storePort, rangePort] = [await freePort(), await freePort(), await freePort()];
  storeUrl = `http://127.0.0.1:${storePort}`;
  const issuer = `http://127.0.0.1:${idpPort}`;
  issuerUrl = issuer;
  const idp = new Provider(issuer, {
    clients: [
      {
        client_id: 'game-store',
        client_secret: 'store-secret',
        redirect_uris: [`${storeUrl}/api/auth/callback/newidp`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    findAccount: async (_ctx, id) =>
      people[id]
        ? { accountId: id, claims: async () => ({ sub: id, email: people[id]!.email, email_verified: true, name: people[id]!.name }) }
        : undefined,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // ID tokens carry the email and name (an app presenting one to the store has nothing else).
    conformIdTokenClaims: false,
    cookies: { keys: ['idp-test-cookie-key'] },
  });
  idpServer = idp.listen(idpPort);
  // A Pwned Passwords range server: answers the suffixes for a 5-character SHA-1 prefix, padded.
  rangeServer = createServer((req, res) => {
    const prefix = req.url!.split('/').pop()!.toUpperCase();
    rangeQueries.push(prefix);
    const sha1 = createHash('sha1').update(BREACHED).digest('hex').toUpperCase();
    const lines = ['0018A45C4D1DEF81644B54AB7F969B88D65:1', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0'];
    if (sha1.startsWith(prefix)) lines.push(`${sha1.slice(5)}:24230`);
    res.end(lines.join('\r\n'));
  }).listen(rangePort);
  t = await startTestStore({
    port: storePort,
    env: {
      AUTH_OIDC_PROVIDERS: JSON.stringify([
        { id: 'newidp', name: 'New Country ID', issuer, clientId: 'game-store', clientSecret: 'store-secret', countries: ['NZ'] },
      ]),
      AUTH_SOCIAL_PROVIDERS: JSON.stringify({
        google: { clientId: 'g', clientSecret: 'g' },
        kakao: { clientId: 'k', clientSecret: 'k' },
        line: { clientId: 'l', clientSecret: 'l' },
      }),
      PASSWORD_BREACH_CHECK_URL: `http://127.0.0.1:${rangePort}/range/`,
    },
  });
});
afterAll(async () => {
  await t?.close();
  idpServer?.close();
  rangeServer?.close();
});

/** Plays the user's browser at the IdP: follows redirects, signs in as `login`, consents; returns the store callback URL. */
async function atIdp(startUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = startUrl;
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      body,
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      jar.set(k!.trim(), v.join('='));
    }
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).toString();
      if (next.startsWith(storeUrl)) return next;
      [url, body] = [next, undefined];
      continue;
    }
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`IdP page without a form (${res.status}): ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).toString();
    body = new URLSearchParams(
      html.includes('name="login"') ? { prompt: 'login', login, password: 'any password' } : { prompt: 'consent' },
    ).toString();
  }
  throw new Error('too many steps at the IdP');
}

/** Starts a sign-in (or a link) with the IdP from the store, goes through the IdP, returns the callback URL. */
async function throughIdp(c: Client, login: string, path = '/api/auth/sign-in/social') {
  const start = await c.post(
    path,
    { provider: 'newidp', callbackURL: '/', errorCallbackURL: '/login' },
    { 'x-forwarded-for': '198.51.100.7' },
  );
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  expect(start.body.url).toContain('code_challenge='); // PKCE
  return atIdp(start.body.url, login);
}
const local = (u: string) => u.slice(storeUrl.length);

/**
 * An ID token for `login`, as a mobile app would get it from the IdP itself (authorization code + PKCE at the IdP,
 * the code exchanged by the app), to present to the store's ID-token sign-in.
 */
async function idTokenFor(login: string, nonce?: string): Promise<string> {
  const discovery = (await (await fetch(`${issuerUrl}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: 'game-store',
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: `${storeUrl}/api/auth/callback/newidp`,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(nonce ? { nonce } : {}),
  };
  for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
  const code = new URL(await atIdp(auth.toString(), login)).searchParams.get('code')!;
  const tokens = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: params.redirect_uri!,
      client_id: 'game-store',
      client_secret: 'store-secret',
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await tokens.json()) as { id_token?: string };
  if (!body.id_token) throw new Error(`no ID token: ${JSON.stringify(body)}`);
  return body.id_token;
}

/** An account with a password, linked to the IdP as `login`, with TOTP on; returns its TOTP secret. */
async function withIdpAndTotp(email: string, login: string, password: string) {
  const owner = new Client(storeUrl);
  expect((await owner.post('/api/accounts', { email, password, name: login, country: 'NZ', language: 'en' })).status).toBe(201);
  expect((await owner.get(local(await throughIdp(owner, login, '/api/auth/link-social')))).status).toBe(302);
  const enabled = await owner.post('/api/auth/two-factor/enable', { password });
  const secret = secretOf(enabled.body.totpURI);
  expect((await owner.post('/api/auth/two-factor/verify-totp', { code: totp(secret) })).status).toBe(200);
  return { owner, secret };
}

describe('identity: a new country’s OpenID Connect provider by configuration (R7)', () => {
  it('R7 authorization code + PKCE through the generic OIDC path creates an account with a profile', async () => {
    const c = new Client(storeUrl);
    const callback = await throughIdp(c, 'alice');
    expect(callback).toContain('/api/auth/callback/newidp?');
    const back = await c.get(local(callback));
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/');
    const me = await c.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'alice@idp.test', name: 'Alice from the IdP', country: 'US', role: 'player' });
    // Signing in again is the same account.
    const again = new Client(storeUrl);
    await again.get(local(await throughIdp(again, 'alice')));
    expect((await again.get('/api/me')).body.id).toBe(me.body.id);
    // Its only way to sign in cannot be unlinked.
    const only = (await c.get('/api/auth/list-accounts')).body[0];
    const unlink = await c.post('/api/auth/unlink-account', { accountId: only.id });
    expect(unlink.status).toBe(400);
    expect(unlink.body.error.code).toBe('failed_to_unlink_last_account');
    expect((await c.get('/api/auth/list-accounts')).body.map((a: { providerId: string }) => a.providerId)).toEqual(['newidp']);
  });

  it('R7 a tampered state is refused: no session', async () => {
    const c = new Client(storeUrl);
    const callback = new URL(await throughIdp(c, 'carol'));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const back = await c.get(local(callback.toString()));
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toMatch(/error=/);
    expect((await c.get('/api/me')).status).toBe(401);
    // A callback replayed from another browser (no state cookie) is refused too.
    const other = new Client(storeUrl);
    const replay = await other.get(local(await throughIdp(new Client(storeUrl), 'carol')));
    expect(replay.headers.get('location') ?? '').toMatch(/error=/);
    expect((await other.get('/api/me')).status).toBe(401);
  });

  it('R7 an IdP login whose email matches an existing account is not linked by itself; the owner links it after signing in; with two-factor on it cannot skip the code; unlinking', async () => {
    const owner = new Client(storeUrl);
    const created = await owner.post('/api/accounts', {
      email: 'bob@idp.test',
      password: 'bobs own long password',
      name: 'Bob',
      country: 'NZ',
      language: 'en',
    });
    expect(created.status).toBe(201);
    // Someone signs in at the IdP as bob@idp.test: refused, no session, no link.
    const stranger = new Client(storeUrl);
    const refused = await stranger.get(local(await throughIdp(stranger, 'bob')));
    expect(refused.headers.get('location')).toMatch(/error=account_not_linked/);
    expect((await stranger.get('/api/me')).status).toBe(401);
    expect((await owner.get('/api/auth/list-accounts')).body.map((a: { providerId: string }) => a.providerId)).toEqual(['credential']);

    // Bob, signed in with his password (the proof), links the IdP from his account.
    const linkedAt = await throughIdp(owner, 'bob', '/api/auth/link-social');
    const linked = await owner.get(local(linkedAt));
    expect(linked.status).toBe(302);
    expect((await owner.get('/api/auth/list-accounts')).body.map((a: { providerId: string }) => a.providerId).sort()).toEqual([
      'credential',
      'newidp',
    ]);
    const viaIdp = new Client(storeUrl);
    await viaIdp.get(local(await throughIdp(viaIdp, 'bob')));
    expect((await viaIdp.get('/api/me')).body).toMatchObject({ id: created.body.id, country: 'NZ' });

    // With two-factor authentication on, an IdP sign-in would skip the second factor: it is refused and the
    // user sent to sign in with password + code.
    const enabled = await owner.post('/api/auth/two-factor/enable', { password: 'bobs own long password' });
    expect((await owner.post('/api/auth/two-factor/verify-totp', { code: totp(secretOf(enabled.body.totpURI)) })).status).toBe(200);
    const skipper = new Client(storeUrl);
    const skipped = await skipper.get(local(await throughIdp(skipper, 'bob')));
    expect(skipped.headers.get('location')).toContain('/login?error=two_factor_password_sign_in');
    expect((await skipper.get('/api/me')).status).toBe(401);

    // He can unlink it (the password remains a way in).
    const listed = (await owner.get('/api/auth/list-accounts')).body.find((a: { providerId: string }) => a.providerId === 'newidp');
    const unlinked = await owner.post('/api/auth/unlink-account', { accountId: listed.id });
    expect(unlinked.status, JSON.stringify(unlinked.body)).toBe(200);
    expect((await owner.get('/api/auth/list-accounts')).body.map((a: { providerId: string }) => a.providerId)).toEqual(['credential']);
  });

  it('R7 D2 an ID-token sign-in cannot skip two-factor authentication, for players and operators: no session, no console', async () => {
    await withIdpAndTotp('frank@idp.test', 'frank', 'franks own long password');
    const player = new Client(storeUrl);
    const nonce = randomBytes(16).toString('hex');
    const r = await player.post('/api/auth/sign-in/social', {
      provider: 'newidp',
      idToken: { token: await idTokenFor('frank', nonce), nonce },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error.code).toBe('two_factor_required');
    expect((await player.get('/api/me')).status).toBe(401);

    // An operator with two-factor on: the same path must not open the console.
    const { owner } = await withIdpAndTotp('erin@idp.test', 'erin', 'erins own long password');
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    await db.query(`update account_profiles set role = 'operator' where user_id = (select id from "user" where email = 'erin@idp.test')`);
    await db.end();
    expect((await owner.get('/api/operator/alerts')).status).toBe(200); // her password + code session works
    const skipper = new Client(storeUrl);
    const n2 = randomBytes(16).toString('hex');
    const s2 = await skipper.post('/api/auth/sign-in/social', {
      provider: 'newidp',
      idToken: { token: await idTokenFor('erin', n2), nonce: n2 },
    });
    expect(s2.status).toBe(403);
    expect((await skipper.get('/api/operator/alerts')).status).toBe(401);
    expect((await skipper.get('/api/auth/get-session')).body).toBeNull();
  });

  it('R7 D2 an ID token is accepted once, and only with a nonce', async () => {
    const c = new Client(storeUrl);
    const bare = await c.post('/api/auth/sign-in/social', { provider: 'newidp', idToken: { token: await idTokenFor('alice') } });
    expect(bare.status, JSON.stringify(bare.body)).toBe(400);
    expect(bare.body.error.code).toBe('id_token_nonce_required');
    const nonce = randomBytes(16).toString('hex');
    const token = await idTokenFor('alice', nonce);
    const first = await c.post('/api/auth/sign-in/social', { provider: 'newidp', idToken: { token, nonce } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await c.get('/api/me')).body.email).toBe('alice@idp.test');
    const replayer = new Client(storeUrl);
    const replay = await replayer.post('/api/auth/sign-in/social', { provider: 'newidp', idToken: { token, nonce } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('id_token_replayed');
    expect((await replayer.get('/api/me')).status).toBe(401);
  });

  it('R7 the login page lists the providers of the visitor’s country first', async () => {
    const c = new Client(storeUrl);
    const kr = (await c.get('/api/auth-providers?country=KR')).body.map((p: { id: string }) => p.id);
    expect(kr[0]).toBe('kakao');
    expect(kr.indexOf('google')).toBeLessThan(kr.indexOf('line'));
    expect((await c.get('/api/auth-providers?country=JP')).body[0]).toMatchObject({ id: 'line', local: true });
    expect((await c.get('/api/auth-providers?country=NZ')).body[0]).toMatchObject({
      id: 'newidp',
      kind: 'oidc',
      name: 'New Country ID',
      local: true,
    });
  });

  it('D2 a password found in breaches is refused at sign-up, and only a 5-character hash prefix leaves the store', async () => {
    const c = new Client(storeUrl);
    const r = await c.post('/api/accounts', {
      email: 'leaky@example.test',
      password: BREACHED,
      name: 'Leaky',
      country: 'US',
      language: 'en',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('password_breached');
    expect(r.body.error.message).toContain('24,230');
    expect(rangeQueries.at(-1)).toBe(createHash('sha1').update(BREACHED).digest('hex').toUpperCase().slice(0, 5));
    expect(
      (
        await c.post('/api/accounts', {
          email: 'careful@example.test',
          password: 'a long unusual passphrase 7',
          name: 'Careful',
          country: 'US',
          language: 'en',
        })
      ).status,
    ).toBe(201);
  });
});
