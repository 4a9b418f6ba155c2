import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, type Me } from './api.ts';
import { translator, type T } from './i18n.ts';

interface Session {
  me: Me | null | undefined;
  country: string;
  language: string;
  locale: string;
  t: T;
  refresh(): Promise<void>;
  /** Visitors pick the country they shop from (a cookie the API reads); signed-in users use their residence. */
  setVisitorPrefs(p: { country?: string; language?: string }): void;
}

const Ctx = createContext<Session | null>(null);

const cookie = (name: string) =>
  document.cookie
    .split('; ')
    .find((c) => c.startsWith(name + '='))
    ?.split('=')[1];

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [visitor, setVisitor] = useState(() => ({
    country: cookie('store_country') ?? 'US',
    language: cookie('store_language') ?? (navigator.language.slice(0, 2) || 'en'),
  }));

  const refresh = useCallback(async () => {
    try {
      setMe((await api<Me>('/api/me')).data);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else throw e;
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  const setVisitorPrefs = useCallback((p: { country?: string; language?: string }) => {
    setVisitor((v) => {
      const next = { ...v, ...p };
      document.cookie = `store_country=${next.country}; path=/; max-age=31536000; samesite=lax`;
      document.cookie = `store_language=${next.language}; path=/; max-age=31536000; samesite=lax`;
      return next;
    });
  }, []);

  const value = useMemo<Session>(() => {
    const country = me?.country ?? visitor.country;
    const language = me?.language ?? visitor.language;
    return { me, country, language, locale: `${language}-${country}`, t: translator(language), refresh, setVisitorPrefs };
  }, [me, visitor, refresh, setVisitorPrefs]);
  useEffect(() => {
    document.documentElement.lang = value.language;
  }, [value.language]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
