import { kyselyFor } from '../platform/db/database.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import { storeModule } from '../platform/module.ts';
import type { IpCountryLookup } from '../platform/shopper.ts';
import { createAuth, migrateAuth } from './auth.ts';
import { BreachedPasswords } from './breached.ts';
import { Guards } from './guards.ts';
import { accountMigrations } from './migrations/index.ts';
import { providerSettings } from './providers.ts';
import { accountRoutes } from './routes.ts';
import { ACCOUNT_CHANNEL, AccountService, type Viewer } from './service.ts';
import { AccountStore, type AccountTables } from './store.ts';
import { TokenService, type TokenTables } from './tokens.ts';

/** Where residence evidence goes (the regions' audit log): declared here, so accounts need not import regions. */
interface RegionAudit {
  record(e: {
    action: string;
    userId: string | null;
    gameId: null;
    residence: string;
    ipCountry?: string;
    outcome: 'refused' | 'warned';
    reason: string;
    message: string;
  }): Promise<void>;
}

/** Accounts (R1, R7): Better Auth's sign-in, profiles, tokens for the launcher, and the guards every route uses. */
export const accountsModule = storeModule({
  name: 'accounts',
  migrations: accountMigrations,
  tags: [
    {
      name: 'accounts',
      description: 'Sign-up and profile (sign-in, sign-out and sessions live under /api/auth/*, served by Better Auth)',
    },
  ],
  migrateFirst: (p) => migrateAuth(p.config, p.pool, p.authSecret),
  create: async (p, s: { regions: RegionAudit; ipCountry: IpCountryLookup }) => {
    const { config, clock, pool } = p;
    // Late-bound: Better Auth's hooks call the account service, which needs auth.
    let onUserCreated: (userId: string, ip: string | undefined) => Promise<void> = async () => undefined;
    let onSessionsEnded: (e: { userId: string; sessionId?: string }) => Promise<void> = async () => undefined;
    const auth = createAuth(config, pool, p.authSecret, {
      userCreated: (id, ip) => onUserCreated(id, ip),
      sessionsEnded: (e) => onSessionsEnded(e),
      passwordResetRequested: (e) => accounts.mailPasswordReset(e.userId, e.token),
      passwordChanged: (id) => accounts.mailPasswordChanged(id),
    });
    // Signed-in viewers from memory, dropped on every node when a user, session or profile changes (issue 15).
    const viewers = await p.cache<(Viewer & { sessionExpiresAt: Date }) | undefined>({
      channel: ACCOUNT_CHANNEL,
      ttlMs: 30_000,
      max: 50_000,
    });
    const accounts = new AccountService(
      auth,
      new AccountStore(kyselyFor<AccountTables>(pool)),
      clock,
      {
        country: config.defaultCountry,
        language: config.defaultLanguage,
        residenceChangeDays: config.residenceChangeDays,
        signUpCountryCheck: config.signUpCountryCheck,
      },
      (e) =>
        s.regions.record({
          action: e.action,
          userId: e.userId,
          gameId: null,
          residence: e.residence,
          ipCountry: e.ipCountry,
          outcome: e.outcome,
          reason: e.reason,
          message: e.message,
        }),
      viewers,
      { publicUrl: config.publicUrl, send: (m) => p.transactions.run((tx) => enqueueMail(tx, m, clock.now())) },
    );
    onUserCreated = (id, ip) => accounts.ensureProfile(id, s.ipCountry.country(ip));
    const tokens = new TokenService(kyselyFor<TokenTables>(pool), auth, (id) => accounts.me(id), clock, config.publicUrl);
    onSessionsEnded = (e) => (e.sessionId ? tokens.revokeForSession(e.sessionId) : tokens.revokeAllForUser(e.userId));
    const guards = new Guards(accounts, s.ipCountry, tokens, { operatorRequire2fa: config.operatorRequire2fa });
    return {
      provides: { auth, accounts, tokens, guards },
      routes: (app) =>
        accountRoutes(app, {
          accounts,
          guards,
          auth,
          tokens,
          providers: providerSettings(config.socialProviders, config.oidcProviders),
          breached: new BreachedPasswords(config.passwordBreachCheckUrl, p.log),
          publicUrl: config.publicUrl,
          rateLimit: config.authRateLimit,
          limits: {
            signUpsPerAddress: p.limiter(5, 10 * 60),
            signInsPerAccount: p.limiter(10, 15 * 60),
            // Password and code attempts together, per client address (TRUST_PROXY decides which address that is).
            signInsPerAddress: p.limiter(10, 60),
            codesPerSignIn: p.limiter(5, 15 * 60),
            resetsPerAddress: p.limiter(10, 60 * 60),
            resetsPerAccount: p.limiter(3, 60 * 60),
          },
        }),
    };
  },
});
