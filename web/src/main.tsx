import { StrictMode, type ReactNode } from 'react';
import { here, loginFor } from './next.ts';
import { createRoot } from 'react-dom/client';
import { Wishlist } from './pages/Wishlist.tsx';
import { Discovery } from './pages/Discovery.tsx';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { SessionProvider, useSession } from './session.tsx';
import { Layout } from './components/Layout.tsx';
import { Home } from './pages/Home.tsx';
import { Search } from './pages/Search.tsx';
import { Game } from './pages/Game.tsx';
import { Account, ForgotPassword, ResetPassword, SignIn, SignUp } from './pages/Auth.tsx';
import { ConsoleGameList } from './pages/console/GameList.tsx';
import { ConsoleGameEditor } from './pages/console/GameEditor.tsx';
import { Checkout } from './pages/Checkout.tsx';
import { Cart, CheckoutPage } from './pages/Cart.tsx';
import { Library, OrderPage, Purchases } from './pages/Orders.tsx';
import { GiftCheckout, GiftPage, Gifts } from './pages/Gift.tsx';
import { ConsoleGiftReport } from './pages/console/GiftReport.tsx';
import { ConsoleAlerts } from './pages/console/Alerts.tsx';
import { ConsoleRegionAudit } from './pages/console/RegionAudit.tsx';
import { ConsolePromotions } from './pages/console/Promotions.tsx';
import { ConsoleChatModeration } from './pages/console/ChatModeration.tsx';
import { Sale } from './pages/Sale.tsx';
import { Queue } from './pages/Queue.tsx';
import { PointsPage } from './pages/Points.tsx';
import { Friends } from './pages/Friends.tsx';
import './styles.css';

/** The console is hidden from non-operators; the API enforces the same rule on every call. */
function OperatorOnly({ children }: { children: ReactNode }) {
  const { me, t } = useSession();
  if (me === undefined) return null;
  if (!me) return <Navigate to={loginFor(here())} replace />;
  if (me.role !== 'operator') return <p className="error">{t('operatorsOnly')}</p>;
  return <>{children}</>;
}

/** An address the store has no page for. */
function NotFound() {
  const { t } = useSession();
  return (
    <section className="empty-page">
      <h1>{t('pageMissingTitle')}</h1>
      <p className="error">{t('pageMissing')}</p>
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <Layout>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/search" element={<Search />} />
            <Route path="/games/:slug" element={<Game />} />
            <Route path="/games/:slug/checkout" element={<Checkout />} />
            <Route path="/orders/:id" element={<OrderPage />} />
            <Route path="/cart" element={<Cart />} />
            <Route path="/checkouts/:id" element={<CheckoutPage />} />
            <Route path="/purchases" element={<Purchases />} />
            <Route path="/library" element={<Library />} />
            <Route path="/games/:slug/gift" element={<GiftCheckout />} />
            <Route path="/gifts" element={<Gifts />} />
            <Route path="/gifts/:id" element={<GiftPage />} />
            <Route path="/friends" element={<Friends />} />
            <Route path="/wishlist" element={<Wishlist />} />
            <Route path="/sale" element={<Sale />} />
            <Route path="/points" element={<PointsPage />} />
            <Route path="/games/:slug/queue" element={<Queue />} />
            <Route path="/discovery" element={<Discovery />} />
            <Route path="/login" element={<SignIn />} />
            <Route path="/signup" element={<SignUp />} />
            <Route path="/forgot-password" element={<ForgotPassword />} />
            <Route path="/reset-password" element={<ResetPassword />} />
            <Route path="/account" element={<Account />} />
            <Route
              path="/console"
              element={
                <OperatorOnly>
                  <ConsoleGameList />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/games/new"
              element={
                <OperatorOnly>
                  <ConsoleGameEditor />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/games/:id"
              element={
                <OperatorOnly>
                  <ConsoleGameEditor />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/reports/gifts"
              element={
                <OperatorOnly>
                  <ConsoleGiftReport />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/promotions"
              element={
                <OperatorOnly>
                  <ConsolePromotions />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/regions"
              element={
                <OperatorOnly>
                  <ConsoleRegionAudit />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/alerts"
              element={
                <OperatorOnly>
                  <ConsoleAlerts />
                </OperatorOnly>
              }
            />
            <Route
              path="/console/chat"
              element={
                <OperatorOnly>
                  <ConsoleChatModeration />
                </OperatorOnly>
              }
            />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Layout>
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
