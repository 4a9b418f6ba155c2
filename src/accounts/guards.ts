import type { FastifyRequest } from 'fastify';
import { acceptedLanguage } from '../platform/errors.ts';
import { accountError } from './errors.ts';
import { isLanguage } from '../platform/languages.ts';
import type { Shopper } from '../platform/shopper.ts';
import type { AccountService, Viewer } from './service.ts';
import type { IpCountryLookup } from '../platform/shopper.ts';
import type { TokenService } from './tokens.ts';

export function webHeaders(req: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, String(value));
  }
  return headers;
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Who is asking, resolved once per request; every route that needs a user or an operator asks here. */
export class Guards {
  readonly #cache = new WeakMap<FastifyRequest, Promise<Viewer | undefined>>();
  constructor(
    private readonly accounts: AccountService,
    private readonly ip: IpCountryLookup = { country: () => undefined },
    private readonly tokens?: TokenService,
    private readonly policy: { operatorRequire2fa: boolean } = { operatorRequire2fa: false },
  ) {}

  /** The request's country from its client IP (R12); undefined when unknown. Behind a proxy set TRUST_PROXY. */
  ipCountry(req: FastifyRequest): string | undefined {
    return this.ip.country(req.ip);
  }

  /** The user behind a session cookie, or behind `Authorization: Bearer <access token>` (verified locally, D2). */
  viewer(req: FastifyRequest): Promise<Viewer | undefined> {
    let v = this.#cache.get(req);
    if (!v) {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      v = bearer && this.tokens ? this.fromToken(bearer) : this.accounts.viewer(req.headers.cookie, () => webHeaders(req));
      this.#cache.set(req, v);
    }
    return v;
  }

  private async fromToken(token: string): Promise<Viewer> {
    const c = await this.tokens!.verify(token);
    return {
      userId: c.sub,
      email: c.email,
      name: c.name,
      viaToken: true,
      twoFactor: Boolean(c.tfa),
      profile: {
        user_id: c.sub,
        country: c.country,
        language: c.language,
        currency: c.currency,
        time_zone: c.tz,
        role: c.role,
        country_changed_at: null,
        created_at: new Date((c.iat ?? 0) * 1000),
      },
    };
  }

  async requireUser(req: FastifyRequest): Promise<Viewer> {
    const v = await this.viewer(req);
    if (!v) throw accountError(401, 'not_signed_in.required');
    return v;
  }

  async requireOperator(req: FastifyRequest): Promise<Viewer> {
    const v = await this.requireUser(req);
    if (v.profile.role !== 'operator') throw accountError(403, 'operator_only');
    if (this.policy.operatorRequire2fa && !v.twoFactor) {
      throw accountError(403, 'two_factor_required');
    }
    return v;
  }

  /**
   * The language the store answers this request in (errors): the signed-in user's profile language, else the
   * visitor's choice (cookie), else the first of Accept-Language the store writes (en, ko, ja), else English.
   */
  async language(req: FastifyRequest): Promise<string> {
    const v = await this.viewer(req).catch(() => undefined);
    const chosen = v?.profile.language ?? cookie(req, 'store_language');
    return chosen && isLanguage(chosen) ? chosen : acceptedLanguage(req.headers['accept-language']);
  }

  /** Signed-in users shop from their residence; visitors from the country they picked (cookie) or the default. */
  async shopper(req: FastifyRequest): Promise<Shopper> {
    const viewer = await this.viewer(req);
    // A signed-in user shops from their profile: the visitor's cookies are read only for visitors.
    const s = this.accounts.shopper(
      viewer,
      viewer ? {} : { country: cookie(req, 'store_country')?.toUpperCase(), language: cookie(req, 'store_language') },
    );
    const ipCountry = this.ipCountry(req);
    return ipCountry ? { ...s, ipCountry } : s;
  }
}
