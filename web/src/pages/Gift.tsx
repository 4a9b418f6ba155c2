import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { here, loginFor } from '../next.ts';
import { Link, useNavigate, useParams } from 'react-router';
import { api, get, type CheckoutQuote, type GiftRecipients, type GiftView, type StoreGame } from '../api.ts';
import { ErrorNote, Field } from '../components/Form.tsx';
import { PaymentMethods, PointsAndDue, useFollowPayment } from '../components/Payment.tsx';
import { useSession } from '../session.tsx';
import { formatMoney } from '../format.ts';
import { storeNow } from '../clock.ts';
import { instantToZoned, zonedToInstant } from '../../../src/platform/zoned-time.ts';
import { Loading } from '../components/Loading.tsx';

export const GIFT_STATE: Record<GiftView['state'], string> = {
  paying: 'Being paid for',
  payment_failed: 'Payment failed',
  scheduled: 'Scheduled',
  delivered: 'Waiting for an answer',
  accepted: 'Accepted',
  declined: 'Declined — refunded',
  expired: 'Not answered in 30 days — refunded',
  cancelled: 'Cancelled — refunded',
};

/** "25 Dec 2026, 09:00 (Asia/Tokyo)": an instant as the recipient's clock shows it. */
export const inZone = (iso: string, timeZone: string, locale: string) =>
  `${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso))} (${timeZone})`;

/** S2.3–S2.9: "Buy as a gift" — a friend, a message, now or a date in their time zone, points and a payment method. */
export function GiftCheckout() {
  const { slug = '' } = useParams();
  const { me, locale } = useSession();
  const navigate = useNavigate();
  const [quote, setQuote] = useState<CheckoutQuote>();
  const [friends, setFriends] = useState<GiftRecipients>();
  const [recipientId, setRecipientId] = useState('');
  const [message, setMessage] = useState('');
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [local, setLocal] = useState('');
  const [points, setPoints] = useState(0);
  const [method, setMethod] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  useEffect(() => {
    if (me === null) void navigate(loginFor(here()));
    if (!me) return;
    get<StoreGame>(`/api/games/${encodeURIComponent(slug)}`)
      .then((g) =>
        Promise.all([get<CheckoutQuote>(`/api/checkout?gameId=${g.id}`), get<GiftRecipients>(`/api/gifts/recipients?gameId=${g.id}`)]),
      )
      .then(([q, r]) => {
        setQuote(q);
        setFriends(r);
        setMethod(q.paymentMethods[0]?.id ?? '');
        setRecipientId(r.recipients[0]?.id ?? '');
      }, setError);
  }, [slug, me, navigate]);

  if (error && !quote) return <ErrorNote error={error} />;
  if (!quote || !friends) return <Loading />;
  const recipient = friends.recipients.find((f) => f.id === recipientId);
  const due = { amountMinor: quote.price.amountMinor - points, currency: quote.price.currency };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!recipient) return;
    setBusy(true);
    setError(undefined);
    try {
      const deliverAt = when === 'later' ? zonedToInstant(local, recipient.timeZone).toISOString() : undefined;
      const { data } = await api<GiftView>('/api/gifts', {
        method: 'POST',
        json: {
          gameId: quote.gameId,
          editionId: quote.editionId,
          recipientId,
          message,
          ...(deliverAt ? { deliverAt } : {}),
          pointsToUse: points,
          paymentMethod: method,
        },
        headers: { 'idempotency-key': idempotencyKey },
      });
      void navigate(`/gifts/${data.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form className="panel checkout" onSubmit={submit} data-testid="gift-checkout">
      <h1>Gift {quote.title}</h1>
      <fieldset className="methods">
        <legend>To</legend>
        {friends.recipients.length === 0 && (
          <p className="empty">
            No friend can receive this game yet. <Link to="/friends">Add a friend</Link> first.
          </p>
        )}
        {friends.recipients.map((f) => (
          <label key={f.id} className={`method ${recipientId === f.id ? 'chosen' : ''}`}>
            <input type="radio" name="recipient" value={f.id} checked={recipientId === f.id} onChange={() => setRecipientId(f.id)} />
            {f.name} <small className="muted">{f.timeZone}</small>
          </label>
        ))}
        {friends.unavailable.map((f) => (
          <p key={f.id} className="muted" data-testid="gift-unavailable">
            {f.name}: {f.message}
          </p>
        ))}
        {friends.leftOut > 0 && (
          <p className="muted">
            {friends.leftOut} friend{friends.leftOut > 1 ? 's' : ''} already own{friends.leftOut > 1 ? '' : 's'} this game or{' '}
            {friends.leftOut > 1 ? 'have' : 'has'} it on the way.
          </p>
        )}
      </fieldset>
      <Field label="Message">
        <textarea name="message" maxLength={1000} rows={3} value={message} onChange={(e) => setMessage(e.target.value)} />
      </Field>
      <fieldset className="methods">
        <legend>Delivery</legend>
        <label className="method">
          <input type="radio" name="when" value="now" checked={when === 'now'} onChange={() => setWhen('now')} /> Send now
        </label>
        <label className="method">
          <input type="radio" name="when" value="later" checked={when === 'later'} onChange={() => setWhen('later')} /> On
          <input
            type="datetime-local"
            name="deliverAt"
            value={local}
            disabled={when !== 'later'}
            min={recipient ? instantToZoned(storeNow(), recipient.timeZone) : undefined}
            onChange={(e) => setLocal(e.target.value)}
          />
          {recipient && (
            <small className="muted zone-hint">
              in {recipient.name}'s time zone, {recipient.timeZone}
            </small>
          )}
        </label>
      </fieldset>
      <dl className="facts totals">
        <dt>Price</dt>
        <dd>{formatMoney(quote.price, locale)}</dd>
        <PointsAndDue quote={quote} points={points} setPoints={setPoints} locale={locale} />
      </dl>
      <PaymentMethods quote={quote} dueMinor={due.amountMinor} method={method} setMethod={setMethod} />
      <p className="muted">If your friend declines, or does not answer within 30 days, you are refunded automatically.</p>
      <ErrorNote error={error} />
      <button
        type="submit"
        className="button"
        disabled={busy || !recipient || (when === 'later' && !local) || (due.amountMinor > 0 && !method)}
      >
        Buy as a gift · {formatMoney(due, locale)}
      </button>
    </form>
  );
}

/** One gift: the sender follows its payment and state; the recipient accepts or declines. */
export function GiftPage() {
  const { id = '' } = useParams();
  const { locale } = useSession();
  const {
    data: gift,
    setData: setGift,
    error,
    setError,
  } = useFollowPayment<GiftView>(`/api/gifts/${id}`, (g) => ({
    approvalUrl: g.state === 'paying' ? g.payment?.approvalUrl : null,
    // Paying, or refunding after a decline, expiry or cancel.
    busy:
      g.state === 'paying' ||
      (['declined', 'expired', 'cancelled'].includes(g.state) && g.payment !== undefined && g.payment.status !== 'refunded'),
  }));
  const [busy, setBusy] = useState(false);
  const act = async (action: 'accept' | 'decline' | 'cancel') => {
    if (
      action !== 'accept' &&
      !confirm(
        action === 'decline'
          ? 'Decline this gift? The sender gets their money back.'
          : 'Cancel this gift? You get your money and points back.',
      )
    )
      return;
    setBusy(true);
    setError(undefined);
    try {
      setGift((await api<GiftView>(`/api/gifts/${id}/${action}`, { method: 'POST', json: {} })).data);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (error && !gift) return <ErrorNote error={error} />;
  if (!gift) return <Loading />;
  return (
    <div className="panel" data-testid="gift" data-state={gift.state}>
      <h1>{gift.game.title}</h1>
      <p className={`status-line ${gift.state}`}>{GIFT_STATE[gift.state]}</p>
      <dl className="facts">
        <dt>From</dt>
        <dd>{gift.from.name}</dd>
        <dt>To</dt>
        <dd>{gift.to.name}</dd>
        {gift.message && (
          <>
            <dt>Message</dt>
            <dd className="gift-message">{gift.message}</dd>
          </>
        )}
        <dt>{gift.deliveredAt ? 'Delivered' : 'Arrives'}</dt>
        <dd>{inZone(gift.deliveredAt ?? gift.deliverAt, gift.to.timeZone, locale)}</dd>
        {gift.state === 'delivered' && gift.expiresAt && (
          <>
            <dt>Answer by</dt>
            <dd>{inZone(gift.expiresAt, gift.to.timeZone, locale)}</dd>
          </>
        )}
        {gift.payment && (
          <>
            <dt>Paid</dt>
            <dd>
              {formatMoney(gift.payment.paid, locale)}
              {gift.payment.pointsUsed > 0 && ` + ${gift.payment.pointsUsed.toLocaleString(locale)} points`}
            </dd>
            {gift.payment.refunded && (
              <>
                <dt>Refunded</dt>
                <dd>{formatMoney(gift.payment.refunded, locale)}</dd>
              </>
            )}
          </>
        )}
      </dl>
      {gift.payment?.failure && <p className="error">{gift.payment.failure.message}</p>}
      <ErrorNote error={error} />
      <div className="row">
        {gift.actions.accept && (
          <button className="button" disabled={busy} onClick={() => act('accept')}>
            Accept
          </button>
        )}
        {gift.actions.decline && (
          <button className="button secondary" disabled={busy} onClick={() => act('decline')}>
            Decline
          </button>
        )}
        {gift.actions.cancel && (
          <button className="button secondary" disabled={busy} onClick={() => act('cancel')}>
            Cancel gift
          </button>
        )}
        {gift.state === 'accepted' && gift.role === 'recipient' && (
          <Link className="button secondary" to="/library">
            Go to your library
          </Link>
        )}
        <Link className="button secondary" to="/gifts">
          All gifts
        </Link>
      </div>
    </div>
  );
}

/** Gifts received (to answer) and sent (with their state). */
export function Gifts() {
  const { me, locale } = useSession();
  const navigate = useNavigate();
  const [list, setList] = useState<{ sent: GiftView[]; received: GiftView[] }>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(() => get<{ sent: GiftView[]; received: GiftView[] }>('/api/gifts').then(setList, setError), []);
  useEffect(() => {
    if (me === null) void navigate(loginFor(here()));
    if (me) void load();
  }, [me, navigate, load]);
  const row = (g: GiftView) => (
    <tr key={g.id} data-testid={`gift-${g.role}`} data-state={g.state}>
      <td>
        <Link to={`/gifts/${g.id}`}>{g.game.title}</Link>
        <div className="muted">{g.role === 'sender' ? `to ${g.to.name}` : `from ${g.from.name}`}</div>
      </td>
      <td>{GIFT_STATE[g.state]}</td>
      <td className="muted">{inZone(g.deliveredAt ?? g.deliverAt, g.to.timeZone, locale)}</td>
    </tr>
  );
  return (
    <div className="console">
      <div className="console-head">
        <h1>Gifts</h1>
      </div>
      <ErrorNote error={error} />
      {!list && !error && <Loading />}
      <h2>Received</h2>
      {list?.received.length === 0 && <p className="empty">No gifts received yet.</p>}
      <table className="table">
        <tbody>{list?.received.map(row)}</tbody>
      </table>
      <h2>Sent</h2>
      {list?.sent.length === 0 && <p className="empty">You have not sent a gift yet. Open a game and choose “Buy as a gift”.</p>}
      <table className="table">
        <tbody>{list?.sent.map(row)}</tbody>
      </table>
    </div>
  );
}
