import { useEffect, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { get } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { loginFor } from '../next.ts';
import { formatCount } from '../../../src/platform/money.ts';
import { Loading } from '../components/Loading.tsx';

import type { PointsView as Points } from '../../../src/points/schemas.ts';

/** The order an entry belongs to (references are order:<id>:earn and the like). */
const orderOf = (reference: string) => /^order:([0-9a-f-]{36}):/.exec(reference)?.[1];

/** Points: a wallet per currency, and every entry — earned, spent, returned, taken back — with its order. */
export function PointsPage() {
  const { me, t, locale } = useSession();
  const [data, setData] = useState<Points>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (me) get<Points>('/api/points').then(setData, setError);
  }, [me]);
  if (me === null) return <Navigate to={loginFor('/points')} replace />;
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading />;
  const kinds: Record<string, string> = {
    earn: t('pointsEarned'),
    spend: t('pointsSpent'),
    return_spent: t('pointsReturned'),
    revoke_earned: t('pointsTakenBack'),
    grant: t('pointsGranted'),
  };
  const wallets = data.wallets.length ? data.wallets : [{ currency: data.currency, balance: 0 }];
  return (
    <section className="panel points-page" data-testid="points">
      <h1>{t('points')}</h1>
      <div className="wallets">
        {wallets.map((w) => (
          <div key={w.currency} className="wallet" data-testid="wallet">
            <strong>{formatCount(w.balance, locale)}</strong> <span className="muted">{w.currency}</span>
          </div>
        ))}
      </div>
      <p className="muted">{t('pointsHowTo')}</p>
      {data.history.length === 0 ? (
        <p>{t('pointsNone')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t('when')}</th>
              <th>{t('what')}</th>
              <th className="num">{t('points')}</th>
              <th className="num">{t('balanceAfter')}</th>
            </tr>
          </thead>
          <tbody>
            {data.history.map((h) => {
              const order = orderOf(h.reference);
              return (
                <tr key={h.reference} data-testid="points-entry" data-kind={h.kind}>
                  <td>{new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(h.at))}</td>
                  <td>
                    {kinds[h.kind] ?? h.kind}
                    {order && (
                      <>
                        {' · '}
                        <Link to={`/orders/${order}`}>{t('order')}</Link>
                      </>
                    )}
                  </td>
                  <td className={`num ${h.delta < 0 ? 'neg' : 'pos'}`}>
                    {h.delta > 0 ? '+' : ''}
                    {formatCount(h.delta, locale)} {h.currency}
                  </td>
                  <td className="num">{formatCount(h.balanceAfter, locale)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
