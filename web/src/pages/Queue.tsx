import { useEffect, useState } from 'react';
import { Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError, get, type StoreGame } from '../api.ts';
import type { TicketView } from '../../../src/waiting-room/schemas.ts';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { loginFor } from '../next.ts';
import { Loading } from '../components/Loading.tsx';

/** Where an admission waits for checkout: per game, for this browser tab. */
export const admissionKey = (gameId: string) => `admission:${gameId}`;

/**
 * R6: the waiting room's page. Joins once, then asks again only when the answer's Retry-After says (a quarter of
 * the remaining wait, 1–30 s), so thousands waiting cost the store little. At your turn it goes on to checkout.
 */
export function Queue() {
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const roomId = params.get('room') ?? '';
  const { me, t, locale } = useSession();
  const navigate = useNavigate();
  const [ticket, setTicket] = useState<TicketView>();
  const [game, setGame] = useState<StoreGame>();
  const [error, setError] = useState<unknown>();
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!me) return;
    get<StoreGame>(`/api/games/${encodeURIComponent(slug)}`).then(setGame, setError);
    api<TicketView>(`/api/waiting-rooms/${roomId}/ticket`, { method: 'POST' }).then(
      (r) => setTicket(r.data),
      (err: unknown) => {
        // Closed meanwhile: checkout is open.
        if (err instanceof ApiError && err.code === 'room_closed') void navigate(`/games/${slug}/checkout`, { replace: true });
        else setError(err);
      },
    );
  }, [me, roomId, slug, round, navigate]);

  useEffect(() => {
    if (!ticket) return;
    if (ticket.state === 'admitted' && ticket.admission) {
      sessionStorage.setItem(admissionKey(ticket.gameId), ticket.admission);
      void navigate(`/games/${slug}/checkout`, { replace: true });
      return;
    }
    if (ticket.state === 'closed') {
      void navigate(`/games/${slug}/checkout`, { replace: true });
      return;
    }
    if (ticket.state !== 'waiting') return;
    const timer = setTimeout(
      () => get<TicketView>(`/api/waiting-rooms/${roomId}/ticket`).then(setTicket, setError),
      Math.max(1, ticket.retryAfterSeconds) * 1000,
    );
    return () => clearTimeout(timer);
  }, [ticket, roomId, slug, navigate]);

  if (me === null) return <Navigate to={loginFor(`/games/${slug}/queue?room=${roomId}`)} replace />;
  const time = (iso: string | null) => (iso ? new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(new Date(iso)) : '');
  return (
    <section className="panel queue" data-testid="queue" data-state={ticket?.state ?? 'joining'}>
      <h1>
        {t('queueTitle')}
        {game ? ` · ${game.title}` : ''}
      </h1>
      <ErrorNote error={error} />
      {!ticket && !error && <Loading />}
      {ticket?.state === 'waiting' && ticket.position === null && <p>{t('queueBefore').replace('{time}', time(ticket.startsAt))}</p>}
      {ticket?.state === 'waiting' && ticket.position !== null && (
        <>
          <p className="queue-position" data-testid="queue-position">
            {t('queuePosition')
              .replace('{position}', String(ticket.position))
              .replace('{ahead}', String(ticket.ahead ?? 0))}
          </p>
          <p>{t('queueEta').replace('{time}', time(ticket.eta))}</p>
        </>
      )}
      {ticket?.state === 'admitted' && <p className="ok">{t('queueAdmitted')}</p>}
      {(ticket?.state === 'expired' || ticket?.state === 'used') && (
        <>
          <p>{t('queueExpired')}</p>
          <button type="button" className="button" onClick={() => setRound((n) => n + 1)}>
            {t('queueRejoin')}
          </button>
        </>
      )}
    </section>
  );
}
