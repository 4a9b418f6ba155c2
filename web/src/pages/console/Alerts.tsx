import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, get } from '../../api.ts';
import type { AlertView } from '../../../../src/alerts/schemas.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';

/** What each kind of alert means for the operator reading it, and what to do. */
const KIND: Record<string, string> = {
  payment_rejected: 'The PG refused a request outright; the order is parked until someone settles it at the PG.',
  capture_without_order: 'Money was captured without a live order; it was refunded automatically — check the reason.',
  stuck: 'Work has not finished past its time limit.',
  saga_failed: 'A checkout or refund run failed for good; its order may need a refund or a manual fix.',
  settlement_mismatch: 'What the PG holds for a payment differs from what its order says.',
};

/** Console: operator alerts (D1 reconciliation, parked payments, stuck and failed sagas), open first; resolve when handled. */
export function ConsoleAlerts() {
  const { locale } = useSession();
  const [showResolved, setShowResolved] = useState(false);
  const [data, setData] = useState<{ open: number; items: AlertView[] }>();
  const [error, setError] = useState<unknown>();
  const load = () =>
    get<{ open: number; items: AlertView[] }>(`/api/operator/alerts?limit=200${showResolved ? '' : '&open=true'}`).then(setData, setError);
  useEffect(() => {
    void load();
  }, [showResolved]);
  const resolve = async (id: string) => {
    try {
      await api(`/api/operator/alerts/${id}/resolve`, { method: 'POST' });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  return (
    <div className="console">
      <div className="console-head">
        <h1>Alerts</h1>
        <span data-testid="open-alerts">{data ? `${data.open} open` : ''}</span>
        <label>
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> Show resolved
        </label>
        <Link to="/console" className="button secondary">
          Games
        </Link>
      </div>
      <ErrorNote error={error} />
      {data && !data.items.length && <p className="muted">Nothing needs you right now.</p>}
      <table className="table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>About</th>
            <th>What happened</th>
            <th>Seen</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.items.map((a) => (
            <tr key={a.id} data-testid="alert" data-kind={a.kind}>
              <td>
                <span className={`status ${a.resolvedAt ? 'resolved' : 'open'}`}>{a.kind}</span>
                <div className="muted">{KIND[a.kind] ?? ''}</div>
              </td>
              <td>
                <code>{a.subject}</code>
              </td>
              <td>
                {a.message}
                {Object.keys(a.details).length > 0 && (
                  <details>
                    <summary>Details</summary>
                    <pre>{JSON.stringify(a.details, null, 2)}</pre>
                  </details>
                )}
              </td>
              <td>
                {when(a.lastRaisedAt)}
                {a.count > 1 && (
                  <div className="muted">
                    {a.count} times since {when(a.raisedAt)}
                  </div>
                )}
              </td>
              <td>
                {a.resolvedAt ? (
                  <span className="muted">Resolved {when(a.resolvedAt)}</span>
                ) : (
                  <button onClick={() => void resolve(a.id)}>Resolve</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
