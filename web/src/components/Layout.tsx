import { useSyncExternalStore, type ReactNode } from 'react';
import { clockShift, storeNow } from '../clock.ts';
import { Link } from 'react-router';
import { useSession } from '../session.tsx';
import { LANGUAGES } from '../../../src/platform/languages.ts';
import { countriesByName, countryName } from '../format.ts';
import { NotificationBell } from './Notifications.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { SearchBox } from './SearchBox.tsx';
import { useCartIds } from '../cart.ts';

export function Layout({ children }: { children: ReactNode }) {
  const { me, t, country, language, locale, setVisitorPrefs } = useSession();
  const inCart = useCartIds();
  return (
    <div className="app">
      {/* WCAG 2.4.1: the first Tab stop jumps past the header to the page's content. */}
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <ClockBanner />
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="logo">G</span> Game Store
        </Link>
        <SearchBox />
        <nav className="usernav">
          {me === null && (
            <label className="shopping-from" title={t('shoppingFrom')}>
              <select aria-label={t('shoppingFrom')} value={country} onChange={(e) => setVisitorPrefs({ country: e.target.value })}>
                {countriesByName(locale).map((c) => (
                  <option key={c} value={c}>
                    {countryName(c, locale)}
                  </option>
                ))}
              </select>
              <select aria-label={t('language')} value={language} onChange={(e) => setVisitorPrefs({ language: e.target.value })}>
                {LANGUAGES.map((l) => (
                  <option key={l} value={l}>
                    {new Intl.DisplayNames([l], { type: 'language' }).of(l)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <Link to="/sale" data-testid="sale-link">
            {t('sale')}
          </Link>
          {me && <Link to="/library">{t('navLibrary')}</Link>}
          {me && <Link to="/wishlist">{t('wishlist')}</Link>}
          {me && <Link to="/discovery">{t('discoveryQueue')}</Link>}
          {me && <Link to="/purchases">{t('navPurchases')}</Link>}
          {me && (
            <Link to="/cart" data-testid="cart-link">
              {t('cart')}
              {inCart?.length ? ` (${inCart.length})` : ''}
            </Link>
          )}
          {me && <Link to="/gifts">{t('navGifts')}</Link>}
          {me && <Link to="/friends">{t('navFriends')}</Link>}
          {me && (
            <Link to="/points" data-testid="points-link">
              {t('points')}
            </Link>
          )}
          {me && <NotificationBell />}
          {me?.role === 'operator' && <Link to="/console">{t('console')}</Link>}
          {me ? (
            <Link to="/account" className="account-link">
              {me.name}
            </Link>
          ) : (
            me === null && (
              <>
                <Link to="/login">{t('signIn')}</Link>
                <Link to="/signup" className="button small">
                  {t('signUp')}
                </Link>
              </>
            )
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      {me && <ChatPanel />}
      <footer className="footer">
        {t('pricesShownFor', { country: countryName(country, locale) })} · <a href="/docs">API</a>
      </footer>
    </div>
  );
}

/** Development: while an operator has moved the store's clock, every page says so (and to when). */
function ClockBanner() {
  const { t, locale } = useSession();
  const shift = useSyncExternalStore(clockShift.subscribe, clockShift.get);
  if (!shift) return null;
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(storeNow());
  const days = (shift / 86_400_000).toFixed(1).replace(/\.0$/, '');
  return (
    <div className="clock-banner" role="status" data-testid="clock-banner">
      {t('clockMoved')
        .replace('{when}', when)
        .replace('{days}', shift > 0 ? `+${days}` : days)}
    </div>
  );
}
