import { useEffect, useState } from 'react';
import type { CheckoutQuote } from '../api.ts';
import { get, nextVersion } from '../api.ts';
import { formatMoney } from '../format.ts';
import { useSession } from '../session.tsx';

/** The points rows of a checkout (buying or gifting): how many to use, and what is left to pay. */
export function PointsAndDue({
  quote,
  points,
  setPoints,
  locale,
}: {
  /** A game's checkout quote, or a cart's total with its points. */
  quote: Pick<CheckoutQuote, 'price' | 'points'>;
  points: number;
  setPoints(n: number): void;
  locale: string;
}) {
  const { t } = useSession();
  const due = { amountMinor: quote.price.amountMinor - points, currency: quote.price.currency };
  return (
    <>
      <dt>{t('pointsBalance', { balance: quote.points.balance.toLocaleString(locale), currency: quote.price.currency })}</dt>
      <dd>
        <input
          type="number"
          name="points"
          min={0}
          max={quote.points.usable}
          value={points}
          aria-label={t('pointsToUse')}
          disabled={quote.points.usable === 0}
          onChange={(e) => setPoints(Math.max(0, Math.min(quote.points.usable, Number(e.target.value) || 0)))}
        />
        <button type="button" className="link" disabled={quote.points.usable === 0} onClick={() => setPoints(quote.points.usable)}>
          {t('useAllPoints')}
        </button>
        {quote.points.elsewhere.length > 0 && (
          <small className="muted points-note" data-testid="points-elsewhere">
            {t('pointsElsewhere', {
              balances: quote.points.elsewhere.map((w) => `${w.balance.toLocaleString(locale)} ${w.currency}`).join(', '),
              currencies: quote.points.elsewhere.length > 1 ? t('theirOwnCurrencies') : w0(quote),
              currency: quote.price.currency,
            })}
          </small>
        )}
      </dd>
      <dt>
        <strong>{t('amountToPay')}</strong>
      </dt>
      <dd>
        <strong className="price" data-testid="amount-due">
          {formatMoney(due, locale)}
        </strong>
      </dd>
    </>
  );
}

const w0 = (q: Pick<CheckoutQuote, 'points'>) => q.points.elsewhere[0]!.currency;

/** The payment methods of the buyer's country (S1.7, S2.8); nothing to choose when points cover it all. */
export function PaymentMethods({
  quote,
  dueMinor,
  method,
  setMethod,
}: {
  quote: Pick<CheckoutQuote, 'paymentMethods'>;
  dueMinor: number;
  method: string;
  setMethod(id: string): void;
}) {
  const { t } = useSession();
  if (dueMinor <= 0) return null;
  return (
    <fieldset className="methods">
      <legend>{t('paymentMethod')}</legend>
      {quote.paymentMethods.map((m) => (
        <label key={m.id} className={`method ${method === m.id ? 'chosen' : ''}`}>
          <input type="radio" name="method" value={m.id} checked={method === m.id} onChange={() => setMethod(m.id)} />
          {m.name}
          {m.approval && <small className="muted"> {t('approveOnPage', { name: m.name })}</small>}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * Follows an order or gift while it is being paid (or refunded), and sends the buyer to the wallet's approval page
 * when there is one (unless they are just back from it). While `busy`: with `longPoll` (the resource answers
 * If-None-Match + Prefer: wait), one request that answers when it changes; otherwise every 500 ms.
 */
export function useFollowPayment<T>(url: string, follow: (t: T) => { busy: boolean; approvalUrl?: string | null }, longPoll = false) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let stop = false;
    const poll = async (have?: { data: T; etag: string }) => {
      try {
        const now = longPoll ? await nextVersion<T>(url, have) : { data: await get<T>(url), etag: '' };
        if (stop) return;
        setData(now.data);
        const f = follow(now.data);
        if (f.approvalUrl && !new URLSearchParams(location.search).has('paymentId')) return location.assign(f.approvalUrl);
        if (f.busy && longPoll) void poll(now);
        else if (f.busy) setTimeout(poll, 500);
      } catch (err) {
        setError(err);
      }
    };
    void poll();
    return () => {
      stop = true;
    };
    // `follow` is a pure description of the thing followed; re-run only when the URL changes.
  }, [url]);
  return { data, setData, error, setError };
}
