import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { get, type OperatorGameRow } from '../../api.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import { countryName } from '../../format.ts';
import { REGION_ACTIONS } from '../../../../src/regions/policy.ts';
import type { Decision } from '../../../../src/regions/schemas.ts';

/**
 * Console (R12): every region decision that refused or warned — purchases, gifts, downloads, residence changes and
 * sign-ups whose declared country differs from the connection's — newest first, filtered by outcome, action and game.
 * It is where operators review residence mismatches.
 */
export function ConsoleRegionAudit() {
  const { locale, t } = useSession();
  const [filter, setFilter] = useState({ outcome: '', action: '', gameId: '' });
  const [rows, setRows] = useState<Decision[]>();
  const [games, setGames] = useState<OperatorGameRow[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<OperatorGameRow[]>('/api/operator/games?pageSize=100').then(setGames, setError);
  }, []);
  useEffect(() => {
    const q = new URLSearchParams({ limit: '200' });
    for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
    get<Decision[]>(`/api/operator/region-decisions?${q}`).then(setRows, setError);
  }, [filter]);
  const titles = new Map(games.map((g) => [g.id, g.title]));
  const country = (c: string | null) => (c ? countryName(c, locale) : '—');
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value });
  return (
    <div className="console">
      <div className="console-head">
        <h1>{t('regionDecisions')}</h1>
        <Link to="/console" className="button secondary">
          {t('consoleGames')}
        </Link>
      </div>
      <p className="muted">{t('regionAuditIntro')}</p>
      <div className="row" data-testid="region-filters">
        <label>
          {t('colOutcome')}{' '}
          <select name="outcome" value={filter.outcome} onChange={set('outcome')}>
            <option value="">{t('any')}</option>
            <option value="refused">{t('outcomeRefused')}</option>
            <option value="warned">{t('outcomeWarned')}</option>
          </select>
        </label>
        <label>
          {t('colAction')}{' '}
          <select name="action" value={filter.action} onChange={set('action')}>
            <option value="">{t('any')}</option>
            {[...REGION_ACTIONS, 'change_residence', 'sign_up'].map((a) => (
              <option key={a} value={a}>
                {a.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('colGame')}{' '}
          <select name="gameId" value={filter.gameId} onChange={set('gameId')}>
            <option value="">{t('any')}</option>
            {games.map((g) => (
              <option key={g.id} value={g.id}>
                {g.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      <table className="table">
        <thead>
          <tr>
            <th>{t('colWhen')}</th>
            <th>{t('colAction')}</th>
            <th>{t('colOutcome')}</th>
            <th>{t('colGame')}</th>
            <th>{t('colResidence')}</th>
            <th>{t('colConnection')}</th>
            <th>{t('colReason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows?.map((d) => (
            <tr key={d.id} data-testid="region-decision" data-outcome={d.outcome} data-action={d.action}>
              <td>{new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(d.at))}</td>
              <td>
                {d.action.replace('_', ' ')}
                {d.userId && <div className="muted">{t('userShort', { id: d.userId.slice(0, 8) })}</div>}
              </td>
              <td>
                <span className={`status ${d.outcome}`}>{d.outcome}</span>
              </td>
              <td>{d.gameId ? (titles.get(d.gameId) ?? d.gameId.slice(0, 8)) : '—'}</td>
              <td>{country(d.residence)}</td>
              <td>{country(d.ipCountry)}</td>
              <td>
                <code>{d.reason}</code>
                <div className="muted">{d.message}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows && !rows.length && <p className="muted">{t('regionAuditNone')}</p>}
    </div>
  );
}
