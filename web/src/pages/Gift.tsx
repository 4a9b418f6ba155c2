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
import type { Dict } from '../i18n.ts';

export const GIFT_STATE = {
  paying: 'giftPaying',
  payment_failed: 'giftPaymentFailed',
  scheduled: 'giftScheduled',
  delivered: 'giftDelivered',
  accepted: 'giftAccepted',
  declined: 'giftDeclined',
  expired: 'giftExpired',
  cancelled: 'giftCancelled',
} as const satisfies Record<GiftView['state'], keyof Dict>;

/** "25 Dec 2026, 09:00 (Asia/Tokyo)": an instant as the recipient's clock shows it. */
export const inZone = (iso: string, timeZone: string, locale: string) =>
  `${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso))} (${timeZone})`;

/** S2.3–S2.9: "Buy as a gift" — a friend, a message, now or a date in their time zone, points and a payment method. */
export function GiftCheckout() {
  const { slug = '' } = useParams();
  const { me, locale, t } = useSession();
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
        Promise.all([
          get<CheckoutQuote>(`/api/checkout?gameId=${g.id}&action=gift`),
          get<GiftRecipients>(`/api/gifts/recipients?gameId=${g.id}`),
        ]),
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
          // The price shown is the price charged while the quote is valid (S1.5), for a gift too.
          quoteToken: quote.quoteToken,
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
      <h1>{t('giftTitle', { title: quote.title })}</h1>
      <fieldset className="methods">
        <legend>{t('giftTo')}</legend>
        {friends.recipients.length === 0 && (
          <p className="empty">
            {t('giftNoRecipient')} <Link to="/friends">{t('addFriendFirst')}</Link>
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
        {friends.leftOut > 0 && <p className="muted">{t('giftLeftOut', { n: friends.leftOut })}</p>}
      </fieldset>
      <Field label={t('giftMessage')}>
        <textarea name="message" maxLength={1000} rows={3} value={message} onChange={(e) => setMessage(e.target.value)} />
      </Field>
      <fieldset className="methods">
        <legend>{t('giftDelivery')}</legend>
        <label className="method">
          <input type="radio" name="when" value="now" checked={when === 'now'} onChange={() => setWhen('now')} /> {t('giftSendNow')}
        </label>
        <label className="method">
          <input type="radio" name="when" value="later" checked={when === 'later'} onChange={() => setWhen('later')} /> {t('giftOn')}
          <input
            type="datetime-local"
            name="deliverAt"
            value={local}
            disabled={when !== 'later'}
            min={recipient ? instantToZoned(storeNow(), recipient.timeZone) : undefined}
            onChange={(e) => setLocal(e.target.value)}
          />
          {recipient && <small className="muted zone-hint">{t('giftZoneHint', { name: recipient.name, zone: recipient.timeZone })}</small>}
        </label>
      </fieldset>
      <dl className="facts totals">
        <dt>{t('checkoutPrice')}</dt>
        <dd>{formatMoney(quote.price, locale)}</dd>
        <PointsAndDue quote={quote} points={points} setPoints={setPoints} locale={locale} />
      </dl>
      <PaymentMethods quote={quote} dueMinor={due.amountMinor} method={method} setMethod={setMethod} />
      <p className="muted">{t('giftRefundNote')}</p>
      <ErrorNote error={error} />
      <button
        type="submit"
        className="button"
        disabled={busy || !recipient || (when === 'later' && !local) || (due.amountMinor > 0 && !method)}
      >
        {t('buyAsGift')} · {formatMoney(due, locale)}
      </button>
    </form>
  );
}

/** One gift: the sender follows its payment and state; the recipient accepts or declines. */
export function GiftPage() {
  const { id = '' } = useParams();
  const { locale, t } = useSession();
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
    if (action !== 'accept' && !confirm(t(action === 'decline' ? 'declineConfirm' : 'cancelConfirm'))) return;
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
      <p className={`status-line ${gift.state}`}>{t(GIFT_STATE[gift.state])}</p>
      <dl className="facts">
        <dt>{t('giftFrom')}</dt>
        <dd>{gift.from.name}</dd>
        <dt>{t('giftTo')}</dt>
        <dd>{gift.to.name}</dd>
        {gift.message && (
          <>
            <dt>{t('giftMessage')}</dt>
            <dd className="gift-message">{gift.message}</dd>
          </>
        )}
        <dt>{t(gift.deliveredAt ? 'giftDeliveredAt' : 'giftArrives')}</dt>
        <dd>{inZone(gift.deliveredAt ?? gift.deliverAt, gift.to.timeZone, locale)}</dd>
        {gift.state === 'delivered' && gift.expiresAt && (
          <>
            <dt>{t('answerBy')}</dt>
            <dd>{inZone(gift.expiresAt, gift.to.timeZone, locale)}</dd>
          </>
        )}
        {gift.payment && (
          <>
            <dt>{t('amountPaid')}</dt>
            <dd>
              {formatMoney(gift.payment.paid, locale)}
              {gift.payment.pointsUsed > 0 && ` ${t('plusPoints', { points: gift.payment.pointsUsed.toLocaleString(locale) })}`}
            </dd>
            {gift.payment.refunded && (
              <>
                <dt>{t('refundedAmount')}</dt>
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
            {t('accept')}
          </button>
        )}
        {gift.actions.decline && (
          <button className="button secondary" disabled={busy} onClick={() => act('decline')}>
            {t('decline')}
          </button>
        )}
        {gift.actions.cancel && (
          <button className="button secondary" disabled={busy} onClick={() => act('cancel')}>
            {t('cancelGift')}
          </button>
        )}
        {gift.state === 'accepted' && gift.role === 'recipient' && (
          <Link className="button secondary" to="/library">
            {t('goToLibrary')}
          </Link>
        )}
        <Link className="button secondary" to="/gifts">
          {t('allGifts')}
        </Link>
      </div>
    </div>
  );
}

/** Gifts received (to answer) and sent (with their state). */
export function Gifts() {
  const { me, locale, t } = useSession();
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
        <div className="muted">{g.role === 'sender' ? t('toName', { name: g.to.name }) : t('fromName', { name: g.from.name })}</div>
      </td>
      <td>{t(GIFT_STATE[g.state])}</td>
      <td className="muted">{inZone(g.deliveredAt ?? g.deliverAt, g.to.timeZone, locale)}</td>
    </tr>
  );
  return (
    <div className="console">
      <div className="console-head">
        <h1>{t('giftsTitle')}</h1>
      </div>
      <ErrorNote error={error} />
      {!list && !error && <Loading />}
      <h2>{t('giftsReceived')}</h2>
      {list?.received.length === 0 && <p className="empty">{t('noGiftsReceived')}</p>}
      <table className="table">
        <tbody>{list?.received.map(row)}</tbody>
      </table>
      <h2>{t('giftsSent')}</h2>
      {list?.sent.length === 0 && <p className="empty">{t('noGiftsSent')}</p>}
      <table className="table">
        <tbody>{list?.sent.map(row)}</tbody>
      </table>
    </div>
  );
}
