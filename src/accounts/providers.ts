/**
 * Sign-in providers as configuration (R7): Better Auth's built-in social providers (AUTH_SOCIAL_PROVIDERS) and
 * any OpenID Connect provider (AUTH_OIDC_PROVIDERS), each shown first to visitors of the countries it serves.
 * Adding a new country's provider is a deployment setting, never code.
 */
import type { OidcProviderConfig } from '../platform/config.ts';

/** Where each built-in provider is the expected choice; providers not listed are global. */
export const DEFAULT_PROVIDER_COUNTRIES: Record<string, string[]> = {
  kakao: ['KR'],
  naver: ['KR'],
  line: ['JP', 'TW', 'TH'],
  wechat: ['CN'],
  vk: ['RU', 'BY', 'KZ', 'KG', 'AM', 'AZ', 'UZ', 'TJ', 'MD'],
};

const NAMES: Record<string, string> = {
  google: 'Google',
  apple: 'Apple',
  facebook: 'Facebook',
  discord: 'Discord',
  twitch: 'Twitch',
  kakao: 'Kakao',
  naver: 'NAVER',
  line: 'LINE',
  wechat: 'WeChat',
  vk: 'VK ID',
  github: 'GitHub',
  microsoft: 'Microsoft',
};

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
    entries.push({
      id,
      name: NAMES[id] ?? id,
      kind: 'social',
      countries: Array.isArray(countries) ? (countries as string[]) : (DEFAULT_PROVIDER_COUNTRIES[id] ?? []),
    });
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
