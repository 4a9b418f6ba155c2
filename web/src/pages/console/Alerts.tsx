import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, get } from '../../api.ts';
import type { AlertView } from '../../../../src/alerts/schemas.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import type { Dict } from '../../i18n.ts';

/** What each kind of alert means for the operator reading it, and what to do. */
const KIND: Record<string, keyof Dict> = {
  payment_rejected: 'alertPaymentRejected',
  capture_without_order: 'alertCaptureWithoutOrder',
  stuck: 'alertStuck',
  saga_failed: 'alertSagaFailed',
  settlement_mismatch: 'alertSettlementMismatch',
};

/** Console: operator alerts (D1 reconciliation, parked payments, stuck and failed sagas), open first; resolve when handled. */
export function ConsoleAlerts() {
  const { locale, t } = useSession();
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
        <h1>{t('alertsTitle')}</h1>
        <span data-testid="open-alerts">{data ? t('alertsOpen', { n: data.open }) : ''}</span>
        <label>
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> {t('showResolved')}
        </label>
        <Link to="/console" className="button secondary">
          {t('consoleGames')}
        </Link>
      </div>
      <ErrorNote error={error} />
      {data && !data.items.length && <p className="muted">{t('alertsNone')}</p>}
      <table className="table">
        <thead>
          <tr>
            <th>{t('alertKind')}</th>
            <th>{t('alertAbout')}</th>
            <th>{t('alertWhat')}</th>
            <th>{t('alertSeen')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.items.map((a) => (
            <tr key={a.id} data-testid="alert" data-kind={a.kind}>
              <td>
                <span className={`status ${a.resolvedAt ? 'resolved' : 'open'}`}>{a.kind}</span>
                <div className="muted">{a.kind in KIND ? t(KIND[a.kind]!) : ''}</div>
              </td>
              <td>
                <code>{a.subject}</code>
              </td>
              <td>
                {a.message}
                {Object.keys(a.details).length > 0 && (
                  <details>
                    <summary>{t('details')}</summary>
                    <pre>{JSON.stringify(a.details, null, 2)}</pre>
                  </details>
                )}
              </td>
              <td>
                {when(a.lastRaisedAt)}
                {a.count > 1 && <div className="muted">{t('alertTimesSince', { n: a.count, when: when(a.raisedAt) })}</div>}
              </td>
              <td>
                {a.resolvedAt ? (
                  <span className="muted">{t('resolvedAt', { when: when(a.resolvedAt) })}</span>
                ) : (
                  <button onClick={() => void resolve(a.id)}>{t('resolve')}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
