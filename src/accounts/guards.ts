import type { FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.ts';
import type { Shopper } from '../catalog/service.ts';
import type { AccountService, Viewer } from './service.ts';

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
  constructor(private readonly accounts: AccountService) {}

  viewer(req: FastifyRequest): Promise<Viewer | undefined> {
    let v = this.#cache.get(req);
    if (!v) {
      v = this.accounts.viewer(webHeaders(req));
      this.#cache.set(req, v);
    }
    return v;
  }

  async requireUser(req: FastifyRequest): Promise<Viewer> {
    const v = await this.viewer(req);
    if (!v) throw new AppError(401, 'not_signed_in', 'Sign in to do this.');
    return v;
  }

  async requireOperator(req: FastifyRequest): Promise<Viewer> {
    const v = await this.requireUser(req);
    if (v.profile.role !== 'operator') throw new AppError(403, 'operator_only', 'Only store operators can do this. Ask an operator to give your account the operator role.');
    return v;
  }

  /** Signed-in users shop from their residence; visitors from the country they picked (cookie) or the default. */
  async shopper(req: FastifyRequest): Promise<Shopper> {
    return this.accounts.shopper(await this.viewer(req), {
      country: cookie(req, 'store_country')?.toUpperCase(),
      language: cookie(req, 'store_language'),
    });
  }
}
