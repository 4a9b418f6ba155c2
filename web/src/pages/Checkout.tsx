import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, get, type CheckoutQuote, type OrderView, type StoreGame } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { PaymentMethods, PointsAndDue } from '../components/Payment.tsx';
import { useSession } from '../session.tsx';
import { formatMoney } from '../format.ts';

/** S1.5–S1.8: price after the pre-order discount, points, and the payment methods of the buyer's country. */
export function Checkout() {
  const { slug = '' } = useParams();
  const { me, locale, t } = useSession();
  const navigate = useNavigate();
  const [quote, setQuote] = useState<CheckoutQuote>();
  const [points, setPoints] = useState(0);
  const [method, setMethod] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // One key per checkout visit: a double click or a retry lands on the same order.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  useEffect(() => {
    if (me === null) void navigate(`/login`);
    if (!me) return;
    get<StoreGame>(`/api/games/${encodeURIComponent(slug)}`)
      .then((g) => get<CheckoutQuote>(`/api/checkout?gameId=${g.id}`))
      .then((q) => {
        setQuote(q);
        setMethod(q.paymentMethods[0]?.id ?? '');
      }, setError);
  }, [slug, me, navigate]);

  if (error && !quote) return <ErrorNote error={error} />;
  if (!quote) return <div className="loading">…</div>;
  const due = { amountMinor: quote.price.amountMinor - points, currency: quote.price.currency };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await api<OrderView>('/api/orders', {
        method: 'POST',
        json: { gameId: quote.gameId, editionId: quote.editionId, pointsToUse: points, paymentMethod: method },
        headers: { 'idempotency-key': idempotencyKey },
      });
      void navigate(`/orders/${data.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form className="panel checkout" onSubmit={submit}>
      <h1>
        {quote.kind === 'preorder' ? 'Pre-order' : 'Buy'} {quote.title}
      </h1>
      {quote.regionWarning && (
        <p className="warning" role="note" data-testid="region-warning">
          {quote.regionWarning}
        </p>
      )}
      <dl className="facts totals">
        <dt>Price</dt>
        <dd>{formatMoney(quote.listPrice, locale)}</dd>
        {quote.discountPercent > 0 && (
          <>
            <dt>Pre-order discount ({quote.discountPercent}%)</dt>
            <dd className="ok">−{formatMoney(quote.discount, locale)}</dd>
          </>
        )}
        <PointsAndDue quote={quote} points={points} setPoints={setPoints} locale={locale} />
      </dl>
      <PaymentMethods quote={quote} dueMinor={due.amountMinor} method={method} setMethod={setMethod} />
      <p className="muted">You earn {quote.pointsEarnRatePercent}% of the amount paid as points.</p>
      <ErrorNote error={error} />
      <button type="submit" className="button" disabled={busy || (due.amountMinor > 0 && !method)}>
        {quote.kind === 'preorder' ? 'Pre-order now' : 'Buy now'} · {formatMoney(due, locale)}
      </button>
      <p className="muted">{t('residenceNote')}</p>
    </form>
  );
}
