import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthEndpoint, freshSessionMiddleware, sessionMiddleware } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import type { AccountStore } from './store.ts';

/**
 * R7 D2: passkeys (WebAuthn), on `@simplewebauthn/server` — the library Better Auth's own passkey plugin wraps; the
 * plugin itself pins exact versions of Better Auth's internals that this store's Better Auth does not match.
 *
 * - A passkey is added from a signed-in, recent session (Better Auth's "fresh" session: signed in within a day) and,
 *   on an account with two-factor authentication on, one that passed the second factor.
 * - Sign-in is usernameless (discoverable credentials) and always asks the authenticator to verify its user (PIN,
 *   fingerprint, face): a passkey is something the user has *and* something they know or are, so a passkey sign-in
 *   counts as two factors (auth.ts SECOND_FACTOR_PATHS) — an operator with two-factor on reaches the console with it.
 *   A passkey assertion without user verification is refused.
 * - Each challenge is random, bound to this browser by a signed cookie, used once (consumed atomically) and lives
 *   five minutes; the origin and RP ID are fixed by the public URL, never taken from the request.
 * - The signature counter only goes up (a cloned authenticator is refused), checked in the UPDATE itself.
 */
const CHALLENGE_COOKIE = 'passkey_challenge';
const CHALLENGE_SECONDS = 300;
const RP_NAME = 'Game Store';

/** The relying party: the public URL's host; on a loopback address, `localhost` (an IP address cannot be an RP ID). */
export function relyingParty(publicUrl: string): { rpID: string; origins: string[] } {
  const u = new URL(publicUrl);
  if (!['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return { rpID: u.hostname, origins: [u.origin] };
  return { rpID: 'localhost', origins: [`${u.protocol}//localhost${u.port ? `:${u.port}` : ''}`] };
}

interface Challenge {
  ceremony: 'registration' | 'authentication';
  challenge: string;
  userId?: string;
}

const refused = (status: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND', code: string, message: string) =>
  APIError.from(status, { code, message });

export function passkeys(publicUrl: string, store: () => AccountStore): BetterAuthPlugin {
  const rp = relyingParty(publicUrl);

  /** Issues a challenge: a random handle in a signed cookie, the challenge itself in Better Auth's verification table. */
  async function remember(ctx: ChallengeContext, c: Challenge): Promise<void> {
    const handle = randomBytes(24).toString('base64url');
    const cookie = ctx.context.createAuthCookie(CHALLENGE_COOKIE);
    await ctx.setSignedCookie(cookie.name, handle, ctx.context.secret, { ...cookie.attributes, maxAge: CHALLENGE_SECONDS });
    await ctx.context.internalAdapter.createVerificationValue({
      identifier: `passkey:${handle}`,
      value: JSON.stringify(c),
      expiresAt: new Date(Date.now() + CHALLENGE_SECONDS * 1000),
    });
  }

  /** Takes this browser's challenge for `ceremony`, once: a second use, an expired or a foreign one is refused. */
  async function recall(ctx: ChallengeContext, ceremony: Challenge['ceremony']): Promise<Challenge> {
    const cookie = ctx.context.createAuthCookie(CHALLENGE_COOKIE);
    const handle = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
    const row = handle ? await ctx.context.internalAdapter.consumeVerificationValue(`passkey:${handle}`) : null;
    const c = row && new Date(row.expiresAt) > new Date() ? (JSON.parse(row.value) as Challenge) : undefined;
    if (!c || c.ceremony !== ceremony)
      throw refused('BAD_REQUEST', 'PASSKEY_CHALLENGE_EXPIRED', 'This passkey request has expired or was already used. Try again.');
    return c;
  }

  /** The signed-in user may add or remove passkeys: with two-factor on, only from a session that passed it. */
  function assertStrongSession(s: { user: object; session: object }) {
    const { twoFactorEnabled } = s.user as { twoFactorEnabled?: boolean | null };
    if (twoFactorEnabled && !(s.session as { secondFactorAt?: Date | null }).secondFactorAt)
      throw refused('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'Sign in with your password and your authenticator code first.');
  }

  return {
    id: 'store-passkeys',
    endpoints: {
      passkeyRegisterOptions: createAuthEndpoint(
        '/passkey/register-options',
        { method: 'POST', use: [freshSessionMiddleware] },
        async (ctx) => {
          const { user, session } = ctx.context.session;
          assertStrongSession({ user, session });
          const existing = await store().passkeysOf(user.id);
          const options = await generateRegistrationOptions({
            rpName: RP_NAME,
            rpID: rp.rpID,
            userID: new TextEncoder().encode(user.id),
            userName: user.email,
            userDisplayName: user.name,
            attestationType: 'none',
            excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports as AuthenticatorTransportFuture[] })),
            authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
          });
          await remember(ctx, { ceremony: 'registration', challenge: options.challenge, userId: user.id });
          return ctx.json(options);
        },
      ),

      passkeyRegister: createAuthEndpoint('/passkey/register', { method: 'POST', use: [freshSessionMiddleware] }, async (ctx) => {
        const { user, session } = ctx.context.session;
        assertStrongSession({ user, session });
        const body = (ctx.body ?? {}) as { response?: RegistrationResponseJSON; name?: unknown };
        const c = await recall(ctx, 'registration');
        if (c.userId !== user.id)
          throw refused('BAD_REQUEST', 'PASSKEY_CHALLENGE_EXPIRED', 'This passkey request has expired or was already used. Try again.');
        const verification = await verifyRegistrationResponse({
          response: body.response as RegistrationResponseJSON,
          expectedChallenge: c.challenge,
          expectedOrigin: rp.origins,
          expectedRPID: rp.rpID,
          requireUserVerification: true,
        }).catch(() => undefined);
        if (!verification?.verified || !verification.registrationInfo)
          throw refused(
            'BAD_REQUEST',
            'PASSKEY_NOT_VERIFIED',
            'Your device did not confirm the passkey. Try again, or use another device.',
          );
        const info = verification.registrationInfo;
        const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim().slice(0, 60) : 'Passkey';
        const added = await store().addPasskey({
          user_id: user.id,
          credential_id: info.credential.id,
          public_key: Buffer.from(info.credential.publicKey),
          counter: info.credential.counter,
          transports: info.credential.transports ?? [],
          device_type: info.credentialDeviceType,
          backed_up: info.credentialBackedUp,
          aaguid: info.aaguid,
          name,
        });
        if (!added) throw refused('BAD_REQUEST', 'PASSKEY_ALREADY_ADDED', 'This passkey is already registered.');
        return ctx.json({ id: added.id, name: added.name, createdAt: added.created_at, backedUp: added.backed_up });
      }),

      passkeyList: createAuthEndpoint('/passkey/list', { method: 'GET', use: [sessionMiddleware] }, async (ctx) => {
        const rows = await store().passkeysOf(ctx.context.session.user.id);
        return ctx.json(
          rows.map((p) => ({ id: p.id, name: p.name, createdAt: p.created_at, lastUsedAt: p.last_used_at, backedUp: p.backed_up })),
        );
      }),

      passkeyDelete: createAuthEndpoint('/passkey/delete', { method: 'POST', use: [freshSessionMiddleware] }, async (ctx) => {
        const { user, session } = ctx.context.session;
        assertStrongSession({ user, session });
        const id = String((ctx.body as { id?: unknown } | undefined)?.id ?? '');
        if (!(await store().deletePasskey(user.id, id)))
          throw refused('NOT_FOUND', 'PASSKEY_NOT_FOUND', 'There is no such passkey on your account.');
        return ctx.json({ deleted: true });
      }),

      passkeySignInOptions: createAuthEndpoint('/sign-in/passkey/options', { method: 'POST' }, async (ctx) => {
        const options = await generateAuthenticationOptions({ rpID: rp.rpID, userVerification: 'required' });
        await remember(ctx, { ceremony: 'authentication', challenge: options.challenge });
        return ctx.json(options);
      }),

      passkeySignIn: createAuthEndpoint('/sign-in/passkey', { method: 'POST' }, async (ctx) => {
        const response = (ctx.body as { response?: AuthenticationResponseJSON } | undefined)?.response;
        const c = await recall(ctx, 'authentication');
        const notVerified = () =>
          refused('UNAUTHORIZED', 'PASSKEY_NOT_VERIFIED', 'That passkey could not be verified. Try again, or sign in with your password.');
        const passkey = typeof response?.id === 'string' ? await store().passkeyByCredential(response.id) : undefined;
        if (!passkey)
          throw refused(
            'UNAUTHORIZED',
            'PASSKEY_UNKNOWN',
            'This passkey is not registered with the store. Sign in with your password, then add it on your account page.',
          );
        // The authenticator names the account it holds the passkey for; it must be the passkey's owner.
        const handle = response?.response?.userHandle;
        if (handle && Buffer.from(handle, 'base64url').toString() !== passkey.user_id) throw notVerified();
        const verification = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge: c.challenge,
          expectedOrigin: rp.origins,
          expectedRPID: rp.rpID,
          credential: {
            id: passkey.credential_id,
            publicKey: new Uint8Array(passkey.public_key),
            counter: Number(passkey.counter),
            transports: passkey.transports as AuthenticatorTransportFuture[],
          },
          requireUserVerification: true,
        }).catch(() => undefined);
        if (!verification?.verified) throw notVerified();
        if (!(await store().usePasskey(passkey.id, verification.authenticationInfo.newCounter))) throw notVerified();
        const user = await ctx.context.internalAdapter.findUserById(passkey.user_id);
        if (!user) throw notVerified();
        // The session hook (auth.ts) marks a session made on this path as having passed two factors.
        const session = await ctx.context.internalAdapter.createSession(user.id);
        await setSessionCookie(ctx, { session, user });
        return ctx.json({ user: { id: user.id, email: user.email, name: user.name } });
      }),
    },
  } satisfies BetterAuthPlugin;
}

/** What `remember` / `recall` use of an endpoint's context (the same for every endpoint above). */
interface ChallengeContext {
  context: {
    secret: string;
    createAuthCookie(name: string): { name: string; attributes: Record<string, unknown> };
    internalAdapter: {
      createVerificationValue(v: { identifier: string; value: string; expiresAt: Date }): Promise<unknown>;
      consumeVerificationValue(identifier: string): Promise<{ value: string; expiresAt: Date } | null>;
    };
  };
  setSignedCookie(name: string, value: string, secret: string, attributes: Record<string, unknown>): Promise<unknown>;
  getSignedCookie(name: string, secret: string): Promise<string | null | false>;
}
