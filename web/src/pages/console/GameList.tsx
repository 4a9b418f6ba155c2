import { useEffect, useState, useSyncExternalStore } from 'react';
import { Link } from 'react-router';
import { api, get, type OperatorGameRow } from '../../api.ts';
import { instantToZoned, zonedToInstant } from '../../../../src/platform/zoned-time.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { Loading } from '../../components/Loading.tsx';
import { useSession } from '../../session.tsx';
import { formatDate } from '../../format.ts';
import { clockShift } from '../../clock.ts';

export function ConsoleGameList() {
  const { locale, t } = useSession();
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<OperatorGameRow[]>();
  const [error, setError] = useState<unknown>();
  const [openAlerts, setOpenAlerts] = useState(0);
  useEffect(() => {
    get<{ open: number }>('/api/operator/alerts?open=true&limit=1').then(
      (a) => setOpenAlerts(a.open),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    const timer = setTimeout(
      () => get<OperatorGameRow[]>(`/api/operator/games?pageSize=100${q ? `&q=${encodeURIComponent(q)}` : ''}`).then(setRows, setError),
      200,
    );
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <div className="console">
      <div className="console-head">
        <h1>{t('consoleGames')}</h1>
        <input placeholder={t('filterByTitle')} aria-label={t('filterGames')} value={q} onChange={(e) => setQ(e.target.value)} />
        <Link to="/console/chat" className="button secondary" data-testid="chat-reports-link">
          {t('chatReports')}
        </Link>
        <Link to="/console/alerts" className="button secondary" data-testid="alerts-link">
          {t('alertsCount', { n: openAlerts })}
        </Link>
        <Link to="/console/promotions" className="button secondary" data-testid="promotions-link">
          {t('consolePromotions')}
        </Link>
        <Link to="/console/reports/gifts" className="button secondary">
          {t('giftReport')}
        </Link>
        <Link to="/console/regions" className="button secondary" data-testid="regions-link">
          {t('regionDecisions')}
        </Link>
        <Link to="/console/games/new" className="button">
          {t('registerGame')}
        </Link>
      </div>
      <ErrorNote error={error} />
      <DevClock />
      {!rows && !error && <Loading />}
      <table className="table">
        <thead>
          <tr>
            <th>{t('colTitle')}</th>
            <th>{t('colStatus')}</th>
            <th>{t('colRelease')}</th>
            <th>{t('colVersion')}</th>
            <th>{t('colLastEdited')}</th>
          </tr>
        </thead>
        <tbody>
          {rows?.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/console/games/${r.id}`}>{r.title}</Link>
                <div className="muted">/{r.slug}</div>
              </td>
              <td>
                <span className={`status ${r.status}`}>{r.status}</span>
              </td>
              <td>{formatDate(r.releaseDate, locale)}</td>
              <td>v{r.version}</td>
              <td>{new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(r.updatedAt))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Development only (shown once an answer carried the clock-shift header, which only a store with a development clock
 * sends; /api/dev/clock is a 404 elsewhere): move the
 * store's clock to check release day, a sale's end or a refund window, and come back to the real time.
 */
function DevClock() {
  const { t } = useSession();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [clock, setClock] = useState<{ now: string; offsetMs: number } | null>(null);
  const [at, setAt] = useState('');
  const [error, setError] = useState<unknown>();
  const adjustable = useSyncExternalStore(clockShift.subscribe, clockShift.adjustable);
  useEffect(() => {
    if (!adjustable) return;
    get<{ now: string; offsetMs: number }>('/api/dev/clock').then(
      (c) => {
        setClock(c);
        setAt(instantToZoned(new Date(c.now), zone));
      },
      () => setClock(null),
    );
  }, [zone, adjustable]);
  if (!clock) return null;
  const move = async (method: 'PUT' | 'DELETE') => {
    setError(undefined);
    try {
      const { data } = await api<{ now: string; offsetMs: number }>('/api/dev/clock', {
        method,
        ...(method === 'PUT' ? { json: { at: zonedToInstant(at, zone).toISOString() } } : {}),
      });
      setClock(data);
      setAt(instantToZoned(new Date(data.now), zone));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel" data-testid="dev-clock" aria-labelledby="dev-clock-title">
      <h2 id="dev-clock-title">{t('devClockTitle')}</h2>
      <p className="muted">{t('devClockIntro')}</p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void move('PUT');
        }}
      >
        <label className="sr-only" htmlFor="dev-clock-at">
          {t('devClockAt', { zone })}
        </label>
        <input id="dev-clock-at" name="devClockAt" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
        <button type="submit" className="button">
          {t('devClockMove')}
        </button>
        {clock.offsetMs !== 0 && (
          <button type="button" className="button secondary" onClick={() => void move('DELETE')}>
            {t('devClockBack')}
          </button>
        )}
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
