import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, get, type CheckoutQuote, type OrderView, type StoreGame } from '../api.ts';
import { admissionKey } from './Queue.tsx';
import { ErrorNote } from '../components/Form.tsx';
import { PaymentMethods, PointsAndDue } from '../components/Payment.tsx';
import { Countdown } from '../components/GameCard.tsx';
import { useSession } from '../session.tsx';
import { formatMoney } from '../format.ts';
import { Loading } from '../components/Loading.tsx';

/**
 * S1.5–S1.8, R5: the price after promotions (each one named), a coupon, points, and the payment methods of the buyer's
 * country. The quote's signed price travels with the order, so the price shown is the price charged while it holds.
 */
export function Checkout() {
  const { slug = '' } = useParams();
  const { me, locale, t } = useSession();
  const navigate = useNavigate();
  const [quote, setQuote] = useState<CheckoutQuote>();
  const [points, setPoints] = useState(0);
  const [method, setMethod] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState('');
  const [gameId, setGameId] = useState<string>();
  // One key per checkout visit: a double click or a retry lands on the same order.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  useEffect(() => {
    if (me === null) void navigate(`/login`);
    if (!me) return;
    get<StoreGame>(`/api/games/${encodeURIComponent(slug)}`)
      .then((g) => {
        setGameId(g.id);
        return get<CheckoutQuote>(`/api/checkout?gameId=${g.id}`);
      })
      .then((q) => {
        setQuote(q);
        setMethod(q.paymentMethods[0]?.id ?? '');
      }, setError);
  }, [slug, me, navigate]);
  const applyCoupon = async () => {
    if (!gameId) return;
    setError(undefined);
    try {
      const q = await get<CheckoutQuote>(
        `/api/checkout?gameId=${gameId}${code.trim() ? `&coupon=${encodeURIComponent(code.trim())}` : ''}`,
      );
      setQuote(q);
      setPoints((p) => Math.min(p, q.points.usable));
    } catch (err) {
      setError(err);
    }
  };

  if (error && !quote) return <ErrorNote error={error} />;
  if (!quote) return <Loading />;
  const due = { amountMinor: quote.price.amountMinor - points, currency: quote.price.currency };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await api<OrderView>('/api/orders', {
        method: 'POST',
        json: {
          gameId: quote.gameId,
          editionId: quote.editionId,
          pointsToUse: points,
          paymentMethod: method,
          quoteToken: quote.quoteToken,
          ...(sessionStorage.getItem(admissionKey(quote.gameId)) ? { admission: sessionStorage.getItem(admissionKey(quote.gameId)) } : {}),
          ...(quote.coupon?.status === 'applied' ? { coupon: quote.coupon.code } : {}),
        },
        headers: { 'idempotency-key': idempotencyKey },
      });
      sessionStorage.removeItem(admissionKey(quote.gameId));
      void navigate(`/orders/${data.id}`);
    } catch (err) {
      // Behind a waiting room without (or with a spent) admission: to the queue.
      const room = err instanceof ApiError ? (err.details as { roomId?: string } | undefined)?.roomId : undefined;
      if (room) {
        void navigate(`/games/${slug}/queue?room=${room}`);
        return;
      }
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form className="panel checkout" onSubmit={submit}>
      <h1>
        {quote.kind === 'preorder' ? t('preorder') : t('buy')} {quote.title}
      </h1>
      {quote.regionWarning && (
        <p className="warning" role="note" data-testid="region-warning">
          {quote.regionWarning}
        </p>
      )}
      <dl className="facts totals">
        <dt>{t('checkoutPrice')}</dt>
        <dd>{formatMoney(quote.listPrice, locale)}</dd>
        {quote.promotions.map((p) => (
          <Fragment key={p.id}>
            <dt data-testid="promotion-line">{p.name}</dt>
            <dd className="ok">−{formatMoney(p.off, locale)}</dd>
          </Fragment>
        ))}
        {quote.discountPercent > 0 && (
          <>
            <dt>
              {t('sale')} (−{quote.discountPercent}%)
            </dt>
            <dd className="ok" data-testid="checkout-price">
              {formatMoney(quote.price, locale)}
            </dd>
          </>
        )}
        <PointsAndDue quote={quote} points={points} setPoints={setPoints} locale={locale} />
      </dl>
      {quote.offerEndsAt && <Countdown endsAt={quote.offerEndsAt} />}
      {quote.discountPercent > 0 && (
        <p className="muted" data-testid="price-held">
          {t('priceHeld').replace('{time}', new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(new Date(quote.quoteExpiresAt)))}
        </p>
      )}
      <div className="coupon">
        <input
          aria-label={t('coupon')}
          placeholder={t('coupon')}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => {
            // Enter applies the code; it must not place the order.
            if (e.key === 'Enter') {
              e.preventDefault();
              void applyCoupon();
            }
          }}
          maxLength={32}
          data-testid="coupon-input"
        />
        <button type="button" className="button secondary small" onClick={() => void applyCoupon()}>
          {t('applyCoupon')}
        </button>
        {quote.coupon && (
          <span className={quote.coupon.status === 'applied' ? 'ok' : 'warning'} data-testid="coupon-status">
            {
              {
                applied: t('couponApplied'),
                unknown: t('couponUnknown'),
                used_up: t('couponUsedUp'),
                not_applicable: t('couponNotApplicable'),
                unavailable: t('couponUnavailable'),
              }[quote.coupon.status]
            }
          </span>
        )}
      </div>
      <PaymentMethods quote={quote} dueMinor={due.amountMinor} method={method} setMethod={setMethod} />
      <p className="muted">{t('earnRate', { percent: quote.pointsEarnRatePercent })}</p>
      <ErrorNote error={error} />
      <button type="submit" className="button" disabled={busy || (due.amountMinor > 0 && !method)}>
        {t(quote.kind === 'preorder' ? 'preorderNow' : 'buyNow')} · {formatMoney(due, locale)}
      </button>
      <p className="muted">{t('residenceNote')}</p>
    </form>
  );
}
