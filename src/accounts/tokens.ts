import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../platform/clock.ts';
import { accountError } from './errors.ts';
import { newId } from '../platform/ids.ts';
import type { Auth } from './auth.ts';
import type { Me } from './schemas.ts';

/**
 * Tokens for API clients and other services (D2): a short-lived access token — a JWT signed with the key
 * Better Auth publishes at /api/auth/jwks (EdDSA, 15 minutes) carrying what a node needs to serve the user
 * (id, residence, language, currency, role) — so any node verifies it without a database round trip; and a
 * long-lived opaque refresh token, stored hashed, rotated on every use and revocable. Presenting a refresh
 * token that was already used (a stolen copy racing its owner) revokes its whole family.
 * Web pages keep cookie sessions (CSRF-guarded by the Origin check); tokens are for `Authorization: Bearer`.
 * Token lifetimes follow the wall clock, like webhook signatures: they are transport, not business time.
 */

interface RefreshTokensTable {
  id: string;
  family: string;
  user_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  session_id: string | null;
}
export interface TokenTables {
  refresh_tokens: RefreshTokensTable;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

/** What an access token says about its user: enough to serve a request without reading the database. */
export interface AccessClaims extends JWTPayload {
  sub: string;
  email: string;
  name: string;
  country: string;
  language: string;
  currency: string;
  tz: string;
  role: 'player' | 'operator';
  /** Two-factor authentication is on for the account. */
  tfa: boolean;
  /** Marks the store's access tokens: Better Auth's own JWTs (/api/auth/token) share key, issuer and audience. */
  token_use: typeof TOKEN_USE;
}

const TOKEN_USE = 'store_access';
const ROLES = new Set(['player', 'operator']);

const ACCESS_SECONDS = 15 * 60;
const REFRESH_DAYS = 30;
const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const invalid = () => accountError(401, 'invalid_refresh_token');

export class TokenService {
  private keys: { set: ReturnType<typeof createLocalJWKSet>; at: number } | undefined;

  constructor(
    private readonly db: Kysely<TokenTables>,
    private readonly auth: Auth,
    private readonly me: (userId: string) => Promise<Me>,
    private readonly clock: Clock,
    private readonly issuer: string,
  ) {}

  /** An access token and a new refresh-token family for a signed-in user, tied to the session that asked. */
  issue(userId: string, sessionId: string | undefined): Promise<TokenPair> {
    return this.db.transaction().execute((trx) => this.mint(trx, userId, newId(), sessionId ?? null));
  }

  /** Rotates a refresh token: the old one is spent, a new one of the same family returned with a fresh access token. */
  async refresh(token: string): Promise<TokenPair> {
    const now = this.clock.now();
    let reused: string | undefined;
    const pair = await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hash(token)).forUpdate().executeTakeFirst();
      if (!row || row.revoked_at || row.expires_at <= now) throw invalid();
      if (row.used_at) {
        reused = row.family;
        return undefined;
      }
      await trx.updateTable('refresh_tokens').set({ used_at: now }).where('id', '=', row.id).execute();
      return this.mint(trx, row.user_id, row.family, row.session_id);
    });
    if (reused) {
      // Someone presented a spent token: the family is compromised, end it for everyone holding it.
      await this.revokeFamily(reused);
      throw accountError(401, 'refresh_token_reused');
    }
    return pair!;
  }

  /** Revokes the refresh token's family (sign-out of an API client). Unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const row = await this.db.selectFrom('refresh_tokens').select('family').where('token_hash', '=', hash(token)).executeTakeFirst();
    if (row) await this.revokeFamily(row.family);
  }

  /** Sign-out everywhere, a password change: every refresh token of the user ends. */
  async revokeAllForUser(userId: string): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.clock.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** A session signed out: the tokens issued to it end with it. */
  async revokeForSession(sessionId: string): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.clock.now() })
      .where('session_id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  private async revokeFamily(family: string) {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.clock.now() })
      .where('family', '=', family)
      .where('revoked_at', 'is', null)
      .execute();
  }

  private async mint(trx: Kysely<TokenTables>, userId: string, family: string, sessionId: string | null): Promise<TokenPair> {
    const me = await this.me(userId);
    const claims: Omit<AccessClaims, 'sub'> = {
      token_use: TOKEN_USE,
      email: me.email,
      name: me.name,
      country: me.country,
      language: me.language,
      currency: me.currency,
      tz: me.timeZone,
      role: me.role,
      tfa: me.twoFactor,
    };
    const { token: accessToken } = await this.auth.api.signJWT({
      body: { payload: { ...claims, sub: userId }, overrideOptions: { jwt: { expirationTime: `${ACCESS_SECONDS}s` } } },
    });
    const refreshToken = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + REFRESH_DAYS * 86_400_000);
    await trx
      .insertInto('refresh_tokens')
      .values({
        id: newId(),
        family,
        user_id: userId,
        token_hash: hash(refreshToken),
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
        revoked_at: null,
        session_id: sessionId,
      })
      .execute();
    return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_SECONDS, refreshToken, refreshExpiresAt: expiresAt.toISOString() };
  }

  /**
   * Verifies an access token against the published keys, held in memory (read again at most every 5 minutes,
   * or at once for a key id not seen yet). No database round trip per request.
   */
  async verify(token: string): Promise<AccessClaims> {
    const attempt = async (fresh: boolean) => {
      if (fresh || !this.keys || Date.now() - this.keys.at > 300_000) {
        const jwks = await this.auth.api.getJwks();
        this.keys = { set: createLocalJWKSet(jwks), at: Date.now() };
      }
      return jwtVerify<AccessClaims>(token, this.keys.set, { issuer: this.issuer, audience: this.issuer });
    };
    let claims: AccessClaims;
    try {
      claims = (
        await attempt(false).catch((err: { code?: string }) =>
          err.code === 'ERR_JWKS_NO_MATCHING_KEY' ? attempt(true) : Promise.reject(err),
        )
      ).payload;
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw accountError(401, expired ? 'token_expired' : 'invalid_token');
    }
    // Only the store's own tokens, and only whole ones: without a residence no region rule could be judged (R12).
    if (
      claims.token_use !== TOKEN_USE ||
      typeof claims.sub !== 'string' ||
      !/^[A-Z]{2}$/.test(String(claims.country)) ||
      !ROLES.has(claims.role) ||
      typeof claims.currency !== 'string'
    ) {
      throw accountError(401, 'invalid_token.use');
    }
    return claims;
  }
}
