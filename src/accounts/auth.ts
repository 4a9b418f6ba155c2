import { betterAuth } from 'better-auth';
import { genericOAuth, jwt, twoFactor } from 'better-auth/plugins';
import { providerSettings } from './providers.ts';
import { createAuthMiddleware } from 'better-auth/api';
import { deleteSessionCookie } from 'better-auth/cookies';
import { getMigrations } from 'better-auth/db/migration';
import type { Pool } from '../platform/db/database.ts';
import type { Config } from '../platform/config.ts';

/**
 * Better Auth owns credentials and sessions (tables "user", "session", "account", "verification").
 * Email sign-up goes through POST /api/accounts instead of Better Auth's own route, so that every account
 * is created with a country of residence, language and currency (kept in account_profiles, never in
 * client-editable user fields). Social providers come from configuration (AUTH_SOCIAL_PROVIDERS).
 */
export interface AuthHooks {
  /** A user was created (email sign-up or a first social / OIDC sign-in): give them a profile. */
  userCreated(userId: string, clientIp: string | undefined): Promise<void>;
}

export function createAuth(config: Config, pool: Pool, secret: string, hooks?: AuthHooks) {
  const providers = providerSettings(config.socialProviders, config.oidcProviders);
  return betterAuth({
    appName: 'Game Store',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret,
    database: pool,
    emailAndPassword: { enabled: true, minPasswordLength: 10, maxPasswordLength: 128, autoSignIn: true },
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
      // A social / OIDC sign-in does not run the two-factor step (the plugin challenges password sign-ins
      // only), so for an account with two-factor on it would skip the second factor. Such sign-ins are undone
      // here and the user is sent to sign in with password + code. (Running the TOTP step after the IdP would
      // need the plugin's internals; this closes the bypass without them.)
      after: createAuthMiddleware(async (ctx) => {
        if (!ctx.path.startsWith('/callback/')) return;
        const fresh = ctx.context.newSession;
        if (!fresh || !(fresh.user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled) return;
        await ctx.context.internalAdapter.deleteSession(fresh.session.token);
        deleteSessionCookie(ctx);
        ctx.context.setNewSession(null);
        throw ctx.redirect(`${config.publicUrl}/login?error=two_factor_password_sign_in`);
      }),
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user, ctx) => {
            await hooks?.userCreated(user.id, ctx?.request?.headers.get('x-store-client-ip') ?? ctx?.headers?.get('x-store-client-ip') ?? undefined);
          },
        },
      },
    },
    disabledPaths: ['/sign-up/email'],
    trustedOrigins: [config.publicUrl],
    session: { cookieCache: { enabled: true, maxAge: 60 } },
    telemetry: { enabled: false },
    // D2: signs access tokens for API clients and services and publishes the keys at /api/auth/jwks.
    plugins: [
      jwt({ jwt: { expirationTime: '15m' } }),
      // R7: TOTP with backup (recovery) codes; five wrong codes lock the second step for 15 minutes.
      twoFactor({ issuer: 'Game Store', accountLockout: { enabled: true, maxFailedAttempts: 5, durationSeconds: 900 } }),
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

export async function migrateAuth(config: Config, pool: Pool, secret: string): Promise<void> {
  const { runMigrations } = await getMigrations(createAuth(config, pool, secret).options);
  await runMigrations();
}
