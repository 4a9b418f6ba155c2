import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { get, type OperatorGameRow } from '../../api.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import { formatDate } from '../../format.ts';

export function ConsoleGameList() {
  const { locale } = useSession();
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
        <h1>Games</h1>
        <input placeholder="Filter by title" aria-label="Filter games" value={q} onChange={(e) => setQ(e.target.value)} />
        <Link to="/console/alerts" className="button secondary" data-testid="alerts-link">
          Alerts{openAlerts ? ` (${openAlerts})` : ''}
        </Link>
        <Link to="/console/promotions" className="button secondary" data-testid="promotions-link">
          Promotions
        </Link>
        <Link to="/console/reports/gifts" className="button secondary">
          Gift report
        </Link>
        <Link to="/console/games/new" className="button">
          Register a game
        </Link>
      </div>
      <ErrorNote error={error} />
      <table className="table">
        <thead>
          <tr>
            <th>Title</th>
            <th>Status</th>
            <th>Release</th>
            <th>Version</th>
            <th>Last edited</th>
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
