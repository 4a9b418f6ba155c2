/**
 * Sign-in providers as configuration (R7): Better Auth's built-in social providers (AUTH_SOCIAL_PROVIDERS) and
 * any OpenID Connect provider (AUTH_OIDC_PROVIDERS), each shown first to visitors of the countries it serves.
 * Adding a new country's provider is a deployment setting, never code.
 */

/** Where each built-in provider is the expected choice; providers not listed are global. */
export const DEFAULT_PROVIDER_COUNTRIES: Record<string, string[]> = {
  kakao: ['KR'],
  naver: ['KR'],
  line: ['JP', 'TW', 'TH'],
  wechat: ['CN'],
  vk: ['RU', 'BY', 'KZ', 'KG', 'AM', 'AZ', 'UZ', 'TJ', 'MD'],
};

const NAMES: Record<string, string> = {
  google: 'Google', apple: 'Apple', facebook: 'Facebook', discord: 'Discord', twitch: 'Twitch', kakao: 'Kakao',
  naver: 'NAVER', line: 'LINE', wechat: 'WeChat', vk: 'VK ID', github: 'GitHub', microsoft: 'Microsoft',
};

export interface OidcProviderConfig {
  id: string;
  name: string;
  /** The issuer; discovery is read from <issuer>/.well-known/openid-configuration unless discoveryUrl is given. */
  issuer: string;
  discoveryUrl?: string;
  clientId: string;
  clientSecret?: string;
  scopes?: string[];
  /** ISO countries whose visitors see this provider first; empty or absent: everywhere. */
  countries?: string[];
}

export interface ProviderView {
  id: string;
  name: string;
  kind: 'social' | 'oidc';
  countries: string[];
  /** Serves the visitor's country (shown first). */
  local: boolean;
}

export interface ProviderSettings {
  /** Better Auth socialProviders, without our `countries` key. */
  social: Record<string, Record<string, unknown>>;
  oidc: OidcProviderConfig[];
  list(country: string): ProviderView[];
}

/** Splits the configured providers into what Better Auth needs and what the login page shows. */
export function providerSettings(social: Record<string, Record<string, unknown>>, oidc: OidcProviderConfig[]): ProviderSettings {
  const entries: Omit<ProviderView, 'local'>[] = [];
  const forAuth: Record<string, Record<string, unknown>> = {};
  for (const [id, { countries, ...rest }] of Object.entries(social)) {
    forAuth[id] = rest;
    entries.push({ id, name: NAMES[id] ?? id, kind: 'social', countries: Array.isArray(countries) ? (countries as string[]) : (DEFAULT_PROVIDER_COUNTRIES[id] ?? []) });
  }
  for (const p of oidc) entries.push({ id: p.id, name: p.name, kind: 'oidc', countries: p.countries ?? [] });
  return {
    social: forAuth,
    oidc,
    list(country) {
      const views = entries.map((e) => ({ ...e, local: e.countries.includes(country) }));
      // The visitor's country's providers first, then global ones, then the rest (other countries' providers).
      const rank = (v: ProviderView) => (v.local ? 0 : v.countries.length === 0 ? 1 : 2);
      return views.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    },
  };
}

/** Reads AUTH_OIDC_PROVIDERS (a JSON array); problems are reported with the configuration's other errors. */
export function parseOidcProviders(raw: string | undefined, problems: string[]): OidcProviderConfig[] {
  if (!raw?.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('AUTH_OIDC_PROVIDERS must be a JSON array of {id, name, issuer, clientId, clientSecret, scopes?, countries?}.');
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push('AUTH_OIDC_PROVIDERS must be a JSON array.');
    return [];
  }
  const out: OidcProviderConfig[] = [];
  for (const [i, p] of parsed.entries()) {
    const e = p as Partial<OidcProviderConfig>;
    if (!e || typeof e.id !== 'string' || !/^[a-z0-9-]{2,40}$/.test(e.id)) problems.push(`AUTH_OIDC_PROVIDERS[${i}].id must be 2–40 lowercase letters, digits or dashes.`);
    else if (typeof e.issuer !== 'string' || !/^https?:\/\//.test(e.issuer)) problems.push(`AUTH_OIDC_PROVIDERS[${i}] (${e.id}): issuer must be an http(s) URL.`);
    else if (typeof e.clientId !== 'string' || !e.clientId) problems.push(`AUTH_OIDC_PROVIDERS[${i}] (${e.id}): clientId is required.`);
    else out.push({ id: e.id, name: typeof e.name === 'string' ? e.name : e.id, issuer: e.issuer.replace(/\/$/, ''), discoveryUrl: e.discoveryUrl, clientId: e.clientId, clientSecret: e.clientSecret, scopes: e.scopes, countries: e.countries });
  }
  return out;
}
