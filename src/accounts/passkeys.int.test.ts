import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { SoftAuthenticator } from '../../test/webauthn.ts';

let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(() => t?.close());

/** The origin a browser on this machine uses for passkeys: localhost on the store's port (an IP cannot be an RP ID). */
const origin = () => `http://localhost:${new URL(t.url).port}`;

async function addPasskey(c: Client, device: SoftAuthenticator, name = 'Laptop') {
  const options = await c.post('/api/auth/passkey/register-options', {});
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  expect(options.body.rp.id).toBe('localhost');
  expect(options.body.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
  return c.post('/api/auth/passkey/register', { response: device.create(options.body), name });
}

async function passkeySignIn(c: Client, device: SoftAuthenticator, which = 0) {
  const options = await c.post('/api/auth/sign-in/passkey/options', {});
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  expect(options.body.userVerification).toBe('required');
  const response = device.get(options.body, which);
  return { res: await c.post('/api/auth/sign-in/passkey', { response }), response };
}

describe('passkeys (R7, D2)', () => {
  it('R7 D2 a player adds a passkey and signs in with it alone: no password, the session is theirs, the passkey is listed with its last use', async () => {
    const { client, email } = await signUp(t, { name: 'Passkey Player' });
    const device = new SoftAuthenticator(origin());
    const added = await addPasskey(client, device, 'My laptop');
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.name).toBe('My laptop');
    // The same authenticator again: excluded in the options, refused if sent anyway.
    const again = await client.post('/api/auth/passkey/register-options', {});
    expect(again.body.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([device.credentials[0]!.id.toString('base64url')]);

    const fresh = new Client(t.url);
    const { res } = await passkeySignIn(fresh, device);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await fresh.get('/api/me')).body.email).toBe(email);
    const list = await fresh.get('/api/auth/passkey/list');
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ name: 'My laptop' });
    expect(list.body[0].lastUsedAt).toBeTruthy();
  });

  it('R7 D2 an operator with two-factor on reaches the console with a passkey (it verified its user: two factors), never with a password alone', async () => {
    const op = await signInOperator(t);
    const device = new SoftAuthenticator(origin());
    expect((await addPasskey(op, device)).status).toBe(200);
    const viaPasskey = new Client(t.url);
    expect((await passkeySignIn(viaPasskey, device)).res.status).toBe(200);
    expect((await viaPasskey.get('/api/operator/games')).status).toBe(200);
    // The password alone still only gets the challenge.
    const viaPassword = new Client(t.url);
    const challenged = await viaPassword.post('/api/auth/sign-in/email', { email: op.email, password: op.password });
    expect(challenged.body.twoFactorRedirect).toBe(true);
    expect((await viaPassword.get('/api/operator/games')).status).toBe(401);
  });

  it('R7 D2 a passkey sign-in is refused without user verification, when replayed, with a lowered counter, from another origin, for an unknown key', async () => {
    const { client } = await signUp(t);
    const device = new SoftAuthenticator(origin());
    expect((await addPasskey(client, device)).status).toBe(200);

    // The authenticator did not verify its user (no PIN, no biometrics): one factor, refused.
    const noUv = new Client(t.url);
    device.userVerified = false;
    const unverified = (await passkeySignIn(noUv, device)).res;
    expect(unverified.status).toBe(401);
    expect(unverified.body.error.code).toBe('passkey_not_verified');
    expect((await noUv.get('/api/me')).status).toBe(401);
    device.userVerified = true;

    // A captured assertion sent again: its challenge was used.
    const c = new Client(t.url);
    const { res, response } = await passkeySignIn(c, device);
    expect(res.status).toBe(200);
    const replay = await c.post('/api/auth/sign-in/passkey', { response });
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('passkey_challenge_expired');
    // Replayed with a fresh challenge cookie: the signature covers the old challenge.
    const other = new Client(t.url);
    await other.post('/api/auth/sign-in/passkey/options', {});
    expect((await other.post('/api/auth/sign-in/passkey', { response })).status).toBe(401);

    // A clone of the key whose counter is behind the store's: refused.
    const clone = new SoftAuthenticator(origin());
    clone.credentials.push({ ...device.credentials[0]!, counter: 0 });
    const cloned = (await passkeySignIn(new Client(t.url), clone)).res;
    expect(cloned.status).toBe(401);

    // A phishing page on another origin relaying the store's challenge: the signed origin does not match.
    const phish = new SoftAuthenticator('http://localhost.evil.test');
    phish.credentials.push({ ...device.credentials[0]!, counter: 1000 });
    expect((await passkeySignIn(new Client(t.url), phish)).res.status).toBe(401);

    // A key the store never saw.
    const stranger = new SoftAuthenticator(origin());
    stranger.create({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'nobody' } });
    const unknown = (await passkeySignIn(new Client(t.url), stranger)).res;
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('passkey_unknown');
    expect(unknown.body.error.message).toMatch(/sign in with your password/i);
  });

  it('R7 D2 passkeys are the owner’s: visitors cannot add any, nobody lists or deletes another’s, a deleted passkey no longer signs in', async () => {
    expect((await new Client(t.url).post('/api/auth/passkey/register-options', {})).status).toBe(401);
    const owner = await signUp(t);
    const device = new SoftAuthenticator(origin());
    expect((await addPasskey(owner.client, device)).status).toBe(200);
    const [key] = (await owner.client.get('/api/auth/passkey/list')).body;

    const intruder = await signUp(t);
    expect((await intruder.client.get('/api/auth/passkey/list')).body).toEqual([]);
    const steal = await intruder.client.post('/api/auth/passkey/delete', { id: key.id });
    expect(steal.status).toBe(404);
    // The owner's registration challenge cannot be completed by another account's session.
    const options = await owner.client.post('/api/auth/passkey/register-options', {});
    const foreign = new Client(t.url);
    foreign.cookies.set(...([...intruder.client.cookies].find(([k]) => k.includes('session_token')) as [string, string]));
    foreign.cookies.set(...([...owner.client.cookies].find(([k]) => k.includes('passkey_challenge')) as [string, string]));
    const hijack = await foreign.post('/api/auth/passkey/register', { response: new SoftAuthenticator(origin()).create(options.body) });
    expect(hijack.status).toBe(400);
    expect((await intruder.client.get('/api/auth/passkey/list')).body).toEqual([]);

    expect((await owner.client.post('/api/auth/passkey/delete', { id: key.id })).status).toBe(200);
    expect((await owner.client.get('/api/auth/passkey/list')).body).toEqual([]);
    expect((await passkeySignIn(new Client(t.url), device)).res.status).toBe(401);
  });
});
