import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, get, type CartView, type CheckoutView } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { OfferPrice } from '../components/GameCard.tsx';
import { Loading } from '../components/Loading.tsx';
import { PaymentMethods, PointsAndDue, useFollowPayment } from '../components/Payment.tsx';
import { formatMoney } from '../format.ts';
import { formatCount } from '../../../src/platform/money.ts';
import { here, loginFor } from '../next.ts';
import { useSession } from '../session.tsx';
import { admissionKey } from './Queue.tsx';
import { AMOUNT_LABEL, STATUS } from './Orders.tsx';
import { cartChanged } from '../cart.ts';

/**
 * The cart (R5): games put aside and paid for together — each priced with the others, so a bundle ("buy 2, 15 % off
 * each") shows its price here — with points and a payment method of the buyer's country, in one payment.
 */
export function Cart() {
  const { me, locale, t } = useSession();
  const navigate = useNavigate();
  const [cart, setCart] = useState<CartView>();
  const [points, setPoints] = useState(0);
  const [method, setMethod] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // One key per visit: a double click or a retry lands on the same purchase.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const show = useCallback((c: CartView) => {
    setCart(c);
    setPoints((p) => Math.min(p, c.points.usable));
    setMethod((m) => m || c.paymentMethods[0]?.id || '');
  }, []);
  useEffect(() => {
    if (me === null) void navigate(loginFor(here()), { replace: true });
    if (!me) return;
    get<CartView>('/api/cart').then(show, setError);
  }, [me, navigate, show]);

  if (error && !cart) return <ErrorNote error={error} />;
  if (!cart) return <Loading />;
  const remove = async (gameId: string) => {
    setError(undefined);
    try {
      show((await api<CartView>(`/api/cart/items/${gameId}`, { method: 'DELETE' })).data);
      cartChanged();
    } catch (err) {
      setError(err);
    }
  };
  const total = cart.total;
  const due = total ? total.amountMinor - points : 0;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const admissions = Object.fromEntries(
        cart.items.flatMap((l) => {
          const a = sessionStorage.getItem(admissionKey(l.gameId));
          return a ? [[l.gameId, a]] : [];
        }),
      );
      const { data } = await api<CheckoutView>('/api/cart/checkout', {
        method: 'POST',
        json: {
          pointsToUse: points,
          paymentMethod: method,
          games: [...cart.items.map((l) => l.gameId), ...cart.unavailable.map((u) => u.gameId)],
          quoteTokens: Object.fromEntries(cart.items.map((l) => [l.gameId, l.quoteToken])),
          ...(Object.keys(admissions).length ? { admissions } : {}),
        },
        headers: { 'idempotency-key': idempotencyKey },
      });
      for (const l of cart.items) sessionStorage.removeItem(admissionKey(l.gameId));
      void navigate(`/checkouts/${data.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const empty = cart.items.length === 0 && cart.unavailable.length === 0;
  return (
    <form className="panel checkout cart" onSubmit={submit} data-testid="cart">
      <h1>{t('cartTitle')}</h1>
      {empty && <p className="muted">{t('cartEmpty')}</p>}
      <ul className="cart-lines">
        {cart.items.map((l) => (
          <li key={l.gameId} data-testid="cart-line">
            <Link to={`/games/${l.slug}`}>{l.title}</Link>
            <OfferPrice
              price={l.price}
              offer={
                l.discount.amountMinor > 0 ? { listPrice: l.listPrice, percentOff: l.discountPercent, endsAt: l.offerEndsAt } : undefined
              }
              testId="cart-line-price"
            />
            <button type="button" className="link" onClick={() => void remove(l.gameId)} aria-label={`${t('cartRemove')}: ${l.title}`}>
              {t('cartRemove')}
            </button>
          </li>
        ))}
        {cart.unavailable.map((u) => (
          <li key={u.gameId} className="unavailable" data-testid="cart-unavailable">
            <span>{u.title}</span>
            <span className="warning">
              {t('cartCannotBuy')}: {u.message}
            </span>
            <button type="button" className="link" onClick={() => void remove(u.gameId)} aria-label={`${t('cartRemove')}: ${u.title}`}>
              {t('cartRemove')}
            </button>
          </li>
        ))}
      </ul>
      {cart.currencies.length > 1 && (
        <p className="warning" role="note">
          {t('cartCurrencies', { currencies: cart.currencies.join(', ') })}
        </p>
      )}
      {cart.unavailable.length > 0 && (
        <p className="warning" role="note">
          {t('cartRemoveUnavailable')}
        </p>
      )}
      {total && cart.listTotal && cart.savings && (
        <>
          <dl className="facts totals">
            {cart.savings.amountMinor > 0 && (
              <>
                <dt>{t('cartListTotal')}</dt>
                <dd>{formatMoney(cart.listTotal, locale)}</dd>
                <dt>{t('cartSavings')}</dt>
                <dd className="ok">−{formatMoney(cart.savings, locale)}</dd>
              </>
            )}
            <dt>{t('cartTotal')}</dt>
            <dd data-testid="cart-total">{formatMoney(total, locale)}</dd>
            <PointsAndDue
              quote={{ price: total, points: { ...cart.points, elsewhere: [] } }}
              points={points}
              setPoints={setPoints}
              locale={locale}
            />
          </dl>
          <PaymentMethods quote={cart} dueMinor={due} method={method} setMethod={setMethod} />
          <p className="muted">{t('earnRate', { percent: cart.pointsEarnRatePercent })}</p>
        </>
      )}
      <ErrorNote error={error} />
      {total && (
        <button
          type="submit"
          className="button"
          data-testid="cart-pay"
          disabled={busy || cart.unavailable.length > 0 || cart.items.length === 0 || (due > 0 && !method)}
        >
          {t('cartPay', { n: cart.items.length, amount: formatMoney({ amountMinor: due, currency: total.currency }, locale) })}
        </button>
      )}
      <p className="muted">{t('residenceNote')}</p>
    </form>
  );
}

/** One cart purchase, followed until it is paid (wallets send the buyer to approve first); its games link to their orders. */
export function CheckoutPage() {
  const { id = '' } = useParams();
  const { locale, t } = useSession();
  const { data: checkout, error } = useFollowPayment<CheckoutView>(
    `/api/checkouts/${id}`,
    (c) => ({ approvalUrl: c.status === 'pending' ? c.approvalUrl : null, busy: c.status === 'pending' }),
    true,
  );
  // Paid: the games left the cart.
  useEffect(() => {
    if (checkout?.status === 'paid') cartChanged();
  }, [checkout?.status]);
  if (error) return <ErrorNote error={error} />;
  if (!checkout) return <Loading />;
  return (
    <div className="panel receipt" data-testid="checkout" data-status={checkout.status}>
      <h1>{t('checkoutTitle')}</h1>
      <p className={`status-line ${checkout.status}`}>{t(STATUS[checkout.status])}</p>
      {checkout.failure && <p className="error">{checkout.failure.message}</p>}
      <dl className="facts" data-testid="receipt">
        <dt>{t('receiptDate')}</dt>
        <dd>{new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(checkout.createdAt))}</dd>
        <dt>{t('cartTotal')}</dt>
        <dd>{formatMoney(checkout.total, locale)}</dd>
        <dt>{t('receiptMethod')}</dt>
        <dd>{checkout.paymentMethodName}</dd>
        <dt>{t(AMOUNT_LABEL[checkout.status])}</dt>
        <dd data-testid="checkout-paid">
          {formatMoney(checkout.paid, locale)}
          {checkout.pointsUsed > 0 && ` ${t('plusPoints', { points: formatCount(checkout.pointsUsed, locale) })}`}
        </dd>
      </dl>
      <h2>{t('checkoutGames')}</h2>
      <ul className="cart-lines">
        {checkout.orders.map((o) => (
          <li key={o.id} data-testid="checkout-order" data-status={o.status}>
            <Link to={`/orders/${o.id}`}>{o.title}</Link>
            <span>{formatMoney(o.price, locale)}</span>
            <span className={`status-line ${o.status}`}>{t(STATUS[o.status])}</span>
          </li>
        ))}
      </ul>
      {checkout.status === 'paid' && <p className="muted">{t('checkoutRefundNote')}</p>}
    </div>
  );
}
