import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { get, type GiftReport } from '../../api.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import { countriesByName, countryName, formatMoney } from '../../format.ts';
import { GIFT_STATE } from '../Gift.tsx';

const STATES = Object.keys(GIFT_STATE) as (keyof typeof GIFT_STATE)[];
const COLORS: Record<string, string> = {
  paying: '#8a8f98',
  payment_failed: '#5b5f66',
  scheduled: '#6aa9ff',
  delivered: '#f5c451',
  accepted: '#4cc38a',
  declined: '#ef6a6a',
  expired: '#c77dff',
  cancelled: '#ff9f43',
};

/** Gifts per day, stacked by state: one bar per day, one colour per state. */
function PerDayChart({ perDay }: { perDay: GiftReport['perDay'] }) {
  const max = Math.max(1, ...perDay.map((d) => Object.values(d.counts).reduce((a, b) => a + b, 0)));
  const barW = 28;
  const h = 160;
  const w = Math.max(320, perDay.length * (barW + 8) + 40);
  const { t } = useSession();
  return (
    <figure className="chart" data-testid="gift-chart">
      <svg width={w} height={h + 40} role="img" aria-label={t('grChart')}>
        <line x1={30} y1={h} x2={w} y2={h} stroke="currentColor" opacity={0.3} />
        <text x={0} y={12} fontSize={11} fill="currentColor">
          {max}
        </text>
        {perDay.map((d, i) => {
          let y = h;
          const x = 36 + i * (barW + 8);
          return (
            <g key={d.day} data-day={d.day}>
              {STATES.filter((s) => d.counts[s]).map((s) => {
                const bh = ((d.counts[s] ?? 0) / max) * (h - 10);
                y -= bh;
                return (
                  <rect key={s} x={x} y={y} width={barW} height={bh} fill={COLORS[s]}>
                    <title>{`${d.day} · ${t(GIFT_STATE[s])}: ${d.counts[s]}`}</title>
                  </rect>
                );
              })}
              <text x={x + barW / 2} y={h + 14} fontSize={10} textAnchor="middle" fill="currentColor">
                {d.day.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chips">
        {STATES.map((s) => (
          <span key={s} className="chip">
            <span style={{ color: COLORS[s] }}>■</span> {t(GIFT_STATE[s])}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** S2.14: the gift report — filters, totals, a chart per day by state, the rows and a CSV export. */
export function ConsoleGiftReport() {
  const { locale, t } = useSession();
  const [filter, setFilter] = useState({ from: '', to: '', state: '', game: '', senderCountry: '', recipientCountry: '', points: '' });
  const [report, setReport] = useState<GiftReport>();
  const [error, setError] = useState<unknown>();
  const query = useMemo(() => new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString(), [filter]);
  useEffect(() => {
    setError(undefined);
    const timer = setTimeout(() => get<GiftReport>(`/api/operator/reports/gifts?${query}`).then(setReport, setError), 200);
    return () => clearTimeout(timer);
  }, [query]);
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value });
  const when = (iso: string | null) =>
    iso ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';
  return (
    <div className="console" data-testid="gift-report">
      <div className="console-head">
        <h1>{t('giftReport')}</h1>
        <Link to="/console" className="button secondary">
          {t('consoleGames')}
        </Link>
        <a className="button" href={`/api/operator/reports/gifts?${query}${query ? '&' : ''}format=csv`} download data-testid="gift-csv">
          {t('grExport')}
        </a>
      </div>
      <div className="row filters-row">
        <label>
          {t('grFrom')} <input type="date" name="from" value={filter.from} onChange={set('from')} />
        </label>
        <label>
          {t('grTo')} <input type="date" name="to" value={filter.to} onChange={set('to')} />
        </label>
        <label>
          {t('grState')}{' '}
          <select name="state" value={filter.state} onChange={set('state')}>
            <option value="">{t('grAll')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(GIFT_STATE[s])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('colGame')} <input name="game" placeholder={t('grGamePlaceholder')} value={filter.game} onChange={set('game')} size={16} />
        </label>
        <label>
          {t('grSenderCountry')}{' '}
          <select name="senderCountry" value={filter.senderCountry} onChange={set('senderCountry')}>
            <option value="">{t('any')}</option>
            {countriesByName(locale).map((c) => (
              <option key={c} value={c}>
                {countryName(c, locale)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('grRecipientCountry')}{' '}
          <select name="recipientCountry" value={filter.recipientCountry} onChange={set('recipientCountry')}>
            <option value="">{t('any')}</option>
            {countriesByName(locale).map((c) => (
              <option key={c} value={c}>
                {countryName(c, locale)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('grPoints')}{' '}
          <select name="points" value={filter.points} onChange={set('points')}>
            <option value="">{t('any')}</option>
            <option value="used">{t('grPointsUsed')}</option>
            <option value="none">{t('grPointsNone')}</option>
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      {report && (
        <>
          <div className="chips" data-testid="gift-totals">
            <span className="chip">
              {t('grGifts')} <strong>{report.totals.count}</strong>
            </span>
            {Object.entries(report.totals.byState).map(([s, n]) => (
              <span key={s} className="chip">
                {s in GIFT_STATE ? t(GIFT_STATE[s as keyof typeof GIFT_STATE]) : s} <strong>{n}</strong>
              </span>
            ))}
            {report.totals.money.map((m) => (
              <span key={m.currency} className="chip">
                {t('grPaidIn', { currency: m.currency, amount: formatMoney({ amountMinor: m.paidMinor, currency: m.currency }, locale) })}
                {m.refundedMinor > 0 &&
                  t('grRefundedTail', { amount: formatMoney({ amountMinor: m.refundedMinor, currency: m.currency }, locale) })}
              </span>
            ))}
          </div>
          <PerDayChart perDay={report.perDay} />
          <table className="table">
            <thead>
              <tr>
                <th>{t('grColBought')}</th>
                <th>{t('colGame')}</th>
                <th>{t('grColFrom')}</th>
                <th>{t('grColTo')}</th>
                <th>{t('grState')}</th>
                <th>{t('grColDelivery')}</th>
                <th>{t('grColPaid')}</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={r.id} data-testid="gift-report-row">
                  <td>{when(r.createdAt)}</td>
                  <td>{r.game.title}</td>
                  <td>
                    {r.sender.name} <span className="muted">{countryName(r.sender.country, locale)}</span>
                  </td>
                  <td>
                    {r.recipient.name} <span className="muted">{countryName(r.recipient.country, locale)}</span>
                  </td>
                  <td>{t(GIFT_STATE[r.state])}</td>
                  <td>{when(r.deliveredAt ?? r.deliverAt)}</td>
                  <td>
                    {formatMoney(r.paid, locale)}
                    {r.refunded && <div className="muted">{t('grRefunded', { amount: formatMoney(r.refunded, locale) })}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.truncated && <p className="muted">{t('grTruncated', { n: report.rows.length })}</p>}
        </>
      )}
    </div>
  );
}
