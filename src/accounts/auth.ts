import { betterAuth } from 'better-auth';
import { genericOAuth, jwt, twoFactor } from 'better-auth/plugins';
import { providerSettings } from './providers.ts';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import type { BetterAuthPlugin } from 'better-auth';
import { createHash } from 'node:crypto';
import { deleteSessionCookie, setSessionCookie } from 'better-auth/cookies';
import { getMigrations } from 'better-auth/db/migration';
import type { Pool } from '../platform/db/database.ts';
import type { Config } from '../platform/config.ts';
import { kyselyFor } from '../platform/db/database.ts';
import { passkeys } from './passkeys.ts';
import { RESET_PASSWORD_MINUTES } from './limits.ts';
import { AccountStore, type AccountTables } from './store.ts';

/**
 * Better Auth owns credentials and sessions (tables "user", "session", "account", "verification").
 * Email sign-up goes through POST /api/accounts instead of Better Auth's own route, so that every account
 * is created with a country of residence, language and currency (kept in account_profiles, never in
 * client-editable user fields). Social providers come from configuration (AUTH_SOCIAL_PROVIDERS).
 */
export interface AuthHooks {
  /** A user was created (email sign-up or a first social / OIDC sign-in): give them a profile. */
  userCreated(userId: string, clientIp: string | undefined): Promise<void>;
  /** Sessions ended: one (sign-out) or all of a user's (sign-out everywhere, password changed). */
  sessionsEnded(e: { userId: string; sessionId?: string }): Promise<void>;
  /** R7: a password reset was asked for an existing account: mail it the link that carries this token. */
  passwordResetRequested(e: { userId: string; token: string }): Promise<void>;
  /** R7: the password was changed (signed in) or reset (with a mailed link): tell the owner. */
  passwordChanged(userId: string): Promise<void>;
}

export function createAuth(config: Config, pool: Pool, secret: string, hooks?: AuthHooks) {
  const providers = providerSettings(config.socialProviders, config.oidcProviders);
  let passkeyStore: AccountStore | undefined;
  return betterAuth({
    appName: 'Game Store',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret,
    database: pool,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      autoSignIn: true,
      // R7: "forgot your password": Better Auth answers the same whether the address has an account or not (no
      // enumeration), keeps the token (single use, RESET_PASSWORD_MINUTES) and, on reset, ends every session.
      sendResetPassword: async ({ user, token }) => hooks?.passwordResetRequested({ userId: user.id, token }),
      resetPasswordTokenExpiresIn: RESET_PASSWORD_MINUTES * 60,
      revokeSessionsOnPasswordReset: true,
      onPasswordReset: async ({ user }) => {
        // Whoever held the old password may hold API tokens too (a reset has no session: the user comes from here).
        await hooks?.sessionsEnded({ userId: user.id });
        await hooks?.passwordChanged(user.id);
      },
    },
    socialProviders: providers.social,
    account: {
      accountLinking: {
        enabled: true,
        // A social / OIDC sign-in whose email matches an existing account is refused (account_not_linked):
        // the owner proves it by signing in first and linking from their account page. No takeover by email.
        disableImplicitLinking: true,
        allowDifferentEmails: true,
      },
    },
    hooks: {
      // R7 D2: an ID token presented directly (a mobile app's sign-in) must be bound to a nonce and used once:
      // otherwise a token that leaked (a log, a proxy) signs its owner in again and again until it expires.
      before: createAuthMiddleware(async (ctx) => {
        // D2: what ends sessions ends the API tokens issued from them (refresh tokens are the store's, not Better Auth's).
        if (ctx.path === '/sign-out' || ctx.path === '/revoke-sessions') {
          const current = await getSessionFromCtx(ctx).catch(() => null);
          if (current)
            await hooks?.sessionsEnded(
              ctx.path === '/sign-out' ? { userId: current.user.id, sessionId: current.session.id } : { userId: current.user.id },
            );
          return;
        }
        if (ctx.path !== '/sign-in/social') return;
        const idToken = (ctx.body as { idToken?: { token?: string; nonce?: string } } | undefined)?.idToken;
        if (!idToken) return;
        if (!idToken.nonce)
          throw APIError.from('BAD_REQUEST', {
            code: 'ID_TOKEN_NONCE_REQUIRED',
            message: 'Sign in with an ID token that was requested with a nonce, and send that nonce.',
          });
        const hash = createHash('sha256').update(String(idToken.token)).digest('hex');
        // Tokens live minutes; what is older than a day is forgotten on the way.
        const first = await pool.query(
          `with forget as (delete from id_token_uses where used_at < now() - interval '1 day')
           insert into id_token_uses (token_hash, used_at) values ($1, now()) on conflict do nothing returning 1`,
          [hash],
        );
        if (!first.rowCount)
          throw APIError.from('UNAUTHORIZED', {
            code: 'ID_TOKEN_REPLAYED',
            message: 'This ID token was already used to sign in. Sign in again with your provider.',
          });
      }),
      after: createAuthMiddleware(async (ctx) => {
        // A changed password ends every API token of the account (whoever held the old one may hold those) and is
        // announced to its owner. A reset (no session) does the same in onPasswordReset above.
        if (ctx.path !== '/change-password') return;
        if (ctx.context.returned instanceof Error) return;
        const userId = ctx.context.session?.user.id;
        if (!userId) return;
        await hooks?.sessionsEnded({ userId });
        await hooks?.passwordChanged(userId);
      }),
    },
    databaseHooks: {
      // D2: a session records how it was made. The two-factor plugin's verify paths are the only ones that prove
      // the second factor; every other way in (password, provider callback, ID token, any future plugin) is one
      // factor, and the gate below refuses it for an account with two-factor on.
      session: {
        create: {
          before: async (session, ctx) => {
            const path = ctx?.path ?? '';
            return {
              data: {
                ...session,
                signInMethod: path.replace(/^\//, '').slice(0, 60) || 'internal',
                secondFactorAt: SECOND_FACTOR_PATHS.has(path) ? new Date() : null,
              },
            };
          },
        },
      },
      user: {
        create: {
          after: async (user, ctx) => {
            await hooks?.userCreated(
              user.id,
              ctx?.request?.headers.get('x-store-client-ip') ?? ctx?.headers?.get('x-store-client-ip') ?? undefined,
            );
          },
        },
      },
    },
    disabledPaths: ['/sign-up/email'],
    trustedOrigins: loopbackAliases(config.publicUrl),
    session: {
      cookieCache: { enabled: true, maxAge: 60 },
      additionalFields: {
        secondFactorAt: { type: 'date', required: false, input: false },
        signInMethod: { type: 'string', required: false, input: false },
      },
    },
    telemetry: { enabled: false },
    // D2: signs access tokens for API clients and services and publishes the keys at /api/auth/jwks.
    plugins: [
      // No set-auth-jwt header on every session read: nothing uses it, and it signed a token and read the keys per request.
      jwt({ jwt: { expirationTime: '15m' }, disableSettingJwtHeader: true }),
      // R7: TOTP with backup (recovery) codes; five wrong codes lock the second step for 15 minutes.
      twoFactor({ issuer: 'Game Store', accountLockout: { enabled: true, maxFailedAttempts: 5, durationSeconds: 900 } }),
      // R7: passkeys (WebAuthn) with user verification; a passkey sign-in passes both factors.
      passkeys(config.publicUrl, () => (passkeyStore ??= new AccountStore(kyselyFor<AccountTables>(pool)))),
      // R7: any OpenID Connect provider from configuration: discovery, authorization code + PKCE, ID token
      // checked against the issuer's keys with state and nonce. Sign-in: POST /api/auth/sign-in/social {provider: <id>}.
      ...(providers.oidc.length
        ? [
            genericOAuth({
              config: providers.oidc.map((p) => ({
                providerId: p.id,
                name: p.name,
                clientId: p.clientId,
                clientSecret: p.clientSecret,
                discoveryUrl: p.discoveryUrl ?? `${p.issuer}/.well-known/openid-configuration`,
                scopes: p.scopes ?? ['openid', 'email', 'profile'],
                pkce: true,
              })),
            }),
          ]
        : []),
      // Last, so it sees what every other plugin left: no session without its second factor.
      secondFactorGate(config.publicUrl),
    ],
    // Per IP (Fastify's req.ip, so TRUST_PROXY decides which header counts): sign-in and sign-up paths get a
    // small budget, two-factor codes an even smaller one. Stored in memory per node (Redis-backed storage is
    // the multi-node option).
    rateLimit: {
      enabled: config.authRateLimit,
      window: 60,
      max: 100,
      customRules: { '/sign-in/email': { window: 60, max: 5 }, '/two-factor/*': { window: 60, max: 5 } },
    },
    advanced: { ipAddress: { ipAddressHeaders: ['x-store-client-ip'] } },
    logger: { disabled: config.env === 'test' },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * The public URL, and when it is a loopback address its other spellings (localhost, 127.0.0.1, [::1] on the same
 * port): a developer opens whichever address the start log or their habit gives, and sign-in must work on each.
 */
export function loopbackAliases(publicUrl: string): string[] {
  const u = new URL(publicUrl);
  if (!['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return [u.origin];
  return ['localhost', '127.0.0.1', '[::1]'].map((host) => `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`);
}

/** The two-factor plugin's paths that verify a second factor: a session made there has both. */
const SECOND_FACTOR_PATHS = new Set([
  '/two-factor/verify-totp',
  '/two-factor/verify-backup-code',
  '/two-factor/verify-otp',
  // passkeys.ts: the authenticator verified its user (PIN or biometrics) on a key it holds.
  '/sign-in/passkey',
]);
/** Where the two-factor plugin itself challenges: a session it lets through there came with a trusted device. */
const CHALLENGED_PATHS = new Set(['/sign-in/email', '/sign-in/username', '/sign-in/phone-number']);

/**
 * R7 D2: one gate at the end of every sign-in path. Whatever endpoint made a session in this request (a password
 * sign-in, a provider's redirect callback, an ID token, one-tap, a magic link, a plugin added later), a session for
 * an account with two-factor authentication on that did not pass a second factor is deleted before the answer
 * leaves: redirect flows go to the password + code sign-in, API calls get 403 two_factor_required. Guards check
 * the same mark on every request (accounts/service.ts), so a session made any other way is not a sign-in either.
 */
function secondFactorGate(publicUrl: string): BetterAuthPlugin {
  return {
    id: 'second-factor-gate',
    hooks: {
      after: [
        {
          matcher: () => true,
          handler: createAuthMiddleware(async (ctx) => {
            const fresh = ctx.context.newSession;
            if (!fresh || !(fresh.user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled) return;
            if ((fresh.session as { secondFactorAt?: Date | null }).secondFactorAt) return;
            // The two-factor plugin challenged this sign-in and let it pass: its trusted-device cookie was the factor.
            if (CHALLENGED_PATHS.has(ctx.path)) {
              const session = await ctx.context.internalAdapter.updateSession(fresh.session.token, {
                secondFactorAt: new Date(),
                signInMethod: 'trusted-device',
              });
              if (session) await setSessionCookie(ctx, { session: session, user: fresh.user });
              return;
            }
            await ctx.context.internalAdapter.deleteSession(fresh.session.token);
            deleteSessionCookie(ctx);
            ctx.context.setNewSession(null);
            if (ctx.path.startsWith('/callback/') || ctx.path.startsWith('/oauth2/callback/'))
              throw ctx.redirect(`${publicUrl}/login?error=two_factor_password_sign_in`);
            throw APIError.from('FORBIDDEN', {
              code: 'TWO_FACTOR_REQUIRED',
              message: 'This account uses two-factor authentication: sign in with your password and the code from your authenticator app.',
            });
          }),
        },
      ],
    },
  };
}

export async function migrateAuth(config: Config, pool: Pool, secret: string): Promise<void> {
  const { runMigrations } = await getMigrations(createAuth(config, pool, secret).options);
  await runMigrations();
}
