import { useCallback, useEffect, useState } from 'react';
import { here, loginFor } from '../next.ts';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, get, type LibraryEntry, type OrderView } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { useFollowPayment } from '../components/Payment.tsx';
import { useSession } from '../session.tsx';
import { formatDate, formatMoney } from '../format.ts';
import { formatCount } from '../../../src/platform/money.ts';
import { Loading } from '../components/Loading.tsx';
import type { Dict } from '../i18n.ts';

/** S1.15: asks for a signed link and follows it (the browser downloads the build). */
async function downloadGame(gameId: string): Promise<void> {
  const { data } = await api<{ url: string }>(`/api/library/${gameId}/download`, { method: 'POST', json: {} });
  location.assign(data.url);
}

export const STATUS = {
  pending: 'orderPending',
  paid: 'orderPaid',
  cancelled: 'orderCancelled',
  refund_pending: 'orderRefundPending',
  refunded: 'orderRefunded',
} as const satisfies Record<OrderView['status'], keyof Dict>;

/** The amount's label per state. */
export const AMOUNT_LABEL = {
  pending: 'amountToPay',
  paid: 'amountPaid',
  cancelled: 'amountNotCharged',
  refund_pending: 'amountBeingRefunded',
  refunded: 'amountPaid',
} as const satisfies Record<OrderView['status'], keyof Dict>;

/** One order, followed until its payment is decided; wallets send the buyer to approve first. */
export function OrderPage() {
  const { id = '' } = useParams();
  const { locale, t } = useSession();
  const { data: order, error } = useFollowPayment<OrderView>(
    `/api/orders/${id}`,
    (o) => ({
      approvalUrl: o.status === 'pending' ? o.approvalUrl : null,
      busy: o.status === 'pending' || o.status === 'refund_pending',
    }),
    true,
  );
  if (error) return <ErrorNote error={error} />;
  if (!order) return <Loading />;
  // S1.7: a paid pre-order says from when the game can be downloaded.
  const downloadFrom =
    order.kind === 'preorder' && order.status === 'paid' && !order.downloadable && order.releaseDate ? order.releaseDate : undefined;
  return (
    <div className="panel receipt" data-testid="order" data-status={order.status}>
      <h1>{order.title}</h1>
      <p className={`status-line ${order.status}`}>{t(STATUS[order.status])}</p>
      {downloadFrom && (
        <p className="ok" data-testid="download-from">
          {t('downloadFrom').replace('{date}', formatDate(downloadFrom, locale))}
        </p>
      )}
      {order.failure && <p className="error">{order.failure.message}</p>}
      <dl className="facts" data-testid="receipt">
        <dt>{t('receiptOrder')}</dt>
        <dd>
          <code>{order.id}</code>
        </dd>
        <dt>{t('receiptDate')}</dt>
        <dd>{new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(order.createdAt))}</dd>
        <dt>{t(order.kind === 'preorder' ? 'kindPreorder' : 'kindPurchase')}</dt>
        {/* The list price; `price` is what was due after the discount. */}
        <dd>{formatMoney({ ...order.price, amountMinor: order.price.amountMinor + order.discount.amountMinor }, locale)}</dd>
        {order.discount.amountMinor > 0 && (
          <>
            <dt>{t('receiptDiscount')}</dt>
            <dd>− {formatMoney(order.discount, locale)}</dd>
          </>
        )}
        <dt>{t('receiptMethod')}</dt>
        <dd>{order.paymentMethodName}</dd>
        {/* What is true in each state: money is "paid" only once it was; before, it is due; after a cancel, nothing was taken. */}
        <dt data-testid="amount-label">{t(AMOUNT_LABEL[order.status])}</dt>
        <dd>
          {formatMoney(order.paid, locale)}
          {order.pointsUsed > 0 && ` ${t('plusPoints', { points: formatCount(order.pointsUsed, locale) })}`}
        </dd>
        {order.status === 'pending' && order.approvalExpiresAt && (
          <>
            <dt>{t('approveBy')}</dt>
            <dd>
              {new Intl.DateTimeFormat(locale, { timeStyle: 'short', dateStyle: 'medium' }).format(new Date(order.approvalExpiresAt))}
            </dd>
          </>
        )}
        {order.refunded && (
          <>
            <dt>{t('refundedAmount')}</dt>
            <dd>{formatMoney(order.refunded, locale)}</dd>
          </>
        )}
        {order.status === 'paid' && (
          <>
            <dt>{t('earnedPoints')}</dt>
            <dd>{order.pointsEarned.toLocaleString(locale)}</dd>
          </>
        )}
      </dl>
      <div className="row no-print">
        <Link to="/purchases" className="button secondary">
          {t('purchaseList')}
        </Link>
        {order.status !== 'pending' && (
          <button type="button" className="button secondary" onClick={() => window.print()}>
            {t('printReceipt')}
          </button>
        )}
      </div>
    </div>
  );
}

/** S1.11, S1.13, S1.15: the purchase list with "Request refund" and, from release day, "Download". */
export function Purchases() {
  const { me, locale, t } = useSession();
  const navigate = useNavigate();
  const [orders, setOrders] = useState<OrderView[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  // Steam's purchase history: refunded and cancelled orders stay findable under a filter (kept in the address).
  const [params, setParams] = useSearchParams();
  const all = params.get('all') === '1';
  // The router moves to the new address inside a transition, which React may hold back while the list re-renders:
  // the box follows the click at once (its own state), then the address.
  const [history, setHistory] = useState(all);
  useEffect(() => setHistory(all), [all]);
  const load = useCallback(() => get<OrderView[]>(`/api/orders${all ? '?history=true' : ''}`).then(setOrders, setError), [all]);
  useEffect(() => {
    if (me === null) void navigate(loginFor(here()));
    if (me) void load();
  }, [me, navigate, load]);

  const refund = async (o: OrderView) => {
    const preview = (
      await api<{
        refund: { amountMinor: number; currency: string };
        pointsReturned: number;
        pointsTakenBack: number;
        pointsShortfall: number;
      }>(`/api/orders/${o.id}/refund`)
    ).data;
    const lines = [
      t('refundConfirm', { money: formatMoney(preview.refund, locale) }),
      t('refundPoints', { used: formatCount(preview.pointsReturned, locale), earned: formatCount(preview.pointsTakenBack, locale) }),
    ];
    if (preview.pointsShortfall) lines.push(t('refundShortfall', { n: formatCount(preview.pointsShortfall, locale) }));
    if (!confirm(lines.join('\n'))) return;
    setBusy(o.id);
    setError(undefined);
    try {
      // 202: the payment company is still at it; follow the order gently until it is refunded.
      let { data } = await api<OrderView>(`/api/orders/${o.id}/refund`, { method: 'POST', json: {} });
      for (let i = 0; i < 60 && data.status === 'refund_pending'; i++) {
        await load();
        await new Promise((r) => setTimeout(r, 2000));
        data = await get<OrderView>(`/api/orders/${o.id}`);
      }
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  const download = (o: OrderView) => downloadGame(o.gameId).catch(setError);

  return (
    <div className="console">
      <div className="console-head">
        <h1>{t('purchaseList')}</h1>
        <label className="check">
          <input
            type="checkbox"
            name="history"
            checked={history}
            onChange={(e) => {
              setHistory(e.target.checked);
              setParams(e.target.checked ? { all: '1' } : {}, { replace: true });
            }}
          />{' '}
          {t('showHistory')}
        </label>
      </div>
      <ErrorNote error={error} />
      {!orders && !error && <Loading />}
      {orders && orders.length === 0 && (
        <p className="empty" data-testid="no-purchases">
          {t('noPurchases')}
        </p>
      )}
      <table className="table">
        <tbody>
          {orders?.map((o) => (
            <tr key={o.id} data-testid="purchase">
              <td>
                <Link to={`/orders/${o.id}`}>{o.title}</Link>
                <div className="muted" data-testid="purchase-status" data-status={o.status}>
                  {t(o.kind === 'preorder' ? 'kindPreorder' : 'kindPurchase')} · {t(STATUS[o.status])} ·{' '}
                  {new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(o.createdAt))}
                </div>
              </td>
              <td>
                {formatMoney(o.paid, locale)}
                {o.pointsUsed > 0 && <div className="muted">{t('plusPoints', { points: formatCount(o.pointsUsed, locale) })}</div>}
              </td>
              <td className="row">
                {o.downloadable && <button onClick={() => download(o)}>{t('download')}</button>}
                <button className="button secondary" disabled={!o.refundable || busy === o.id} onClick={() => refund(o)}>
                  {t('requestRefund')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** S1.15, S2.11: the games you own — bought or received as a gift — with "Download" from release day. */
export function Library() {
  const { me, locale, t } = useSession();
  const navigate = useNavigate();
  const [games, setGames] = useState<LibraryEntry[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (me === null) void navigate(loginFor(here()));
    if (me) get<LibraryEntry[]>('/api/library').then(setGames, setError);
  }, [me, navigate]);
  const download = (g: LibraryEntry) => downloadGame(g.gameId).catch(setError);
  return (
    <div className="console">
      <div className="console-head">
        <h1>{t('libraryTitle')}</h1>
      </div>
      <ErrorNote error={error} />
      {!games && !error && <Loading />}
      {games && games.length === 0 && <p className="empty">{t('libraryEmpty')}</p>}
      <table className="table">
        <tbody>
          {games?.map((g) => (
            <tr key={g.gameId} data-testid="library-game">
              <td>
                <Link to={`/games/${g.slug}`}>{g.title}</Link>
                <div className="muted">
                  {t(g.source === 'gift' ? 'kindGift' : 'kindPurchase')} · {new Date(g.acquiredAt).toLocaleDateString(locale)}
                </div>
              </td>
              <td className="row">
                {g.downloadable ? (
                  <button onClick={() => download(g)}>{t('download')}</button>
                ) : (
                  <span className="muted">{t('availableOn', { date: formatDate(g.releaseDate, locale) })}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
