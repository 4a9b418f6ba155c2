import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import type { Pool } from '../platform/db/database.ts';
import type { Config } from '../platform/config.ts';

/**
 * Better Auth owns credentials and sessions (tables "user", "session", "account", "verification").
 * Email sign-up goes through POST /api/accounts instead of Better Auth's own route, so that every account
 * is created with a country of residence, language and currency (kept in account_profiles, never in
 * client-editable user fields). Social providers come from configuration (AUTH_SOCIAL_PROVIDERS).
 */
export function createAuth(config: Config, pool: Pool, secret: string) {
  return betterAuth({
    appName: 'Game Store',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret,
    database: pool,
    emailAndPassword: { enabled: true, minPasswordLength: 10, maxPasswordLength: 128, autoSignIn: true },
    socialProviders: config.socialProviders,
    disabledPaths: ['/sign-up/email'],
    trustedOrigins: [config.publicUrl],
    session: { cookieCache: { enabled: true, maxAge: 60 } },
    telemetry: { enabled: false },
    logger: { disabled: config.env === 'test' },
  });
}

export type Auth = ReturnType<typeof createAuth>;

export async function migrateAuth(config: Config, pool: Pool, secret: string): Promise<void> {
  const { runMigrations } = await getMigrations(createAuth(config, pool, secret).options);
  await runMigrations();
}
