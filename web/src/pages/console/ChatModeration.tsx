import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, get } from '../../api.ts';
import { ErrorNote } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import type { Dict } from '../../i18n.ts';
import type { Mute, MuteInForce, ReportedMessage } from '../../../../src/chat/schemas.ts';

/** How long a mute from the report list lasts (minutes; null: a ban). */
const ACTIONS: { label: keyof Dict; minutes: number | null }[] = [
  { label: 'cmMuteHour', minutes: 60 },
  { label: 'cmMuteDay', minutes: 24 * 60 },
  { label: 'cmMuteWeek', minutes: 7 * 24 * 60 },
  { label: 'cmBan', minutes: null },
];

/**
 * Console (R14): reported chat messages, most reported first and as written (the filter does not hide words here),
 * with the reporters' reasons; the operator mutes or bans the writer, or dismisses the reports. Below, the mutes and
 * bans in force, each of which can be lifted.
 */
export function ConsoleChatModeration() {
  const { locale, t } = useSession();
  const [reports, setReports] = useState<ReportedMessage[]>();
  const [mutes, setMutes] = useState<MuteInForce[]>();
  const [error, setError] = useState<unknown>();
  const load = () =>
    Promise.all([get<ReportedMessage[]>('/api/operator/chat/reports'), get<MuteInForce[]>('/api/operator/chat/mutes')]).then(([r, m]) => {
      setReports(r);
      setMutes(m);
    }, setError);
  useEffect(() => {
    void load();
  }, []);
  const act = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const mute = (r: ReportedMessage, minutes: number | null) =>
    act(async () => {
      const reason = t('cmReportedReason', { reasons: r.reasons.slice(0, 3).join('; ') }).slice(0, 500);
      await api(`/api/operator/chat/mutes/${encodeURIComponent(r.sender.id)}`, { method: 'PUT', json: { minutes, reason } });
      await api(`/api/operator/chat/reports/${r.messageId}/handled`, { method: 'POST' });
    });
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  const until = (m: Mute) => (m.until ? t('cmMutedUntil', { when: when(m.until) }) : t('cmBannedNote'));
  return (
    <div className="console">
      <div className="console-head">
        <h1>{t('chatReports')}</h1>
        <Link to="/console" className="button secondary">
          {t('consoleGames')}
        </Link>
      </div>
      <ErrorNote error={error} />
      {reports && !reports.length && <p className="muted">{t('cmNone')}</p>}
      <table className="table" hidden={!reports?.length}>
        <thead>
          <tr>
            <th>{t('cmColMessage')}</th>
            <th>{t('cmColWriter')}</th>
            <th>{t('cmColReports')}</th>
            <th>{t('colAction')}</th>
          </tr>
        </thead>
        <tbody>
          {reports?.map((r) => (
            <tr key={r.messageId} data-testid="chat-report">
              <td>
                <blockquote className="reported">{r.body}</blockquote>
                <div className="muted">{t('cmSent', { when: when(r.sentAt) })}</div>
              </td>
              <td>
                {r.sender.name}
                {r.senderMute && <div className="muted">{until(r.senderMute)}</div>}
              </td>
              <td>
                <strong>{r.reports}</strong>
                <ul className="reasons">
                  {r.reasons.map((reason, i) => (
                    <li key={i}>{reason}</li>
                  ))}
                </ul>
              </td>
              <td className="actions">
                {ACTIONS.map((a) => (
                  <button key={a.label} type="button" className="button small" onClick={() => void mute(r, a.minutes)}>
                    {t(a.label)}
                  </button>
                ))}
                <button
                  type="button"
                  className="button secondary small"
                  onClick={() => void act(() => api(`/api/operator/chat/reports/${r.messageId}/handled`, { method: 'POST' }))}
                >
                  {t('cmDismiss')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('cmMutesTitle')}</h2>
      {mutes && !mutes.length && <p className="muted">{t('cmNobodyMuted')}</p>}
      <table className="table" hidden={!mutes?.length}>
        <thead>
          <tr>
            <th>{t('cmColPlayer')}</th>
            <th>{t('cmColUntil')}</th>
            <th>{t('colReason')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {mutes?.map((m) => (
            <tr key={m.user.id} data-testid="chat-mute">
              <td>{m.user.name}</td>
              <td>{m.until ? when(m.until) : t('cmBanned')}</td>
              <td>{m.reason}</td>
              <td>
                <button
                  type="button"
                  className="button secondary small"
                  onClick={() => void act(() => api(`/api/operator/chat/mutes/${encodeURIComponent(m.user.id)}`, { method: 'DELETE' }))}
                >
                  {t('cmLift')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
