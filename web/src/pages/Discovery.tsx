import { useEffect, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { api, get, type Recommendation } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { PriceTag } from '../components/GameCard.tsx';
import { reasonText } from '../components/Recommendations.tsx';
import { useSession } from '../session.tsx';
import { loginFor } from '../next.ts';
import { coverFallback, coverOf } from '../format.ts';
import { Loading } from '../components/Loading.tsx';

/** The discovery queue: one recommended game at a time — next, not interested, or wishlist. */
export function Discovery() {
  const { t, me, locale, country, language } = useSession();
  const [queue, setQueue] = useState<Recommendation[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!me) return;
    get<Recommendation[]>('/api/discovery-queue').then(setQueue, setError);
  }, [me, country, language]);
  if (me === null) return <Navigate to={loginFor('/discovery')} replace />;
  if (error) return <ErrorNote error={error} />;
  if (!queue) return <Loading />;
  const current = queue[0];
  const step = async (mark: 'seen' | 'not_interested', wish = false) => {
    if (!current) return;
    try {
      if (wish) await api(`/api/wishlist/${current.game.id}`, { method: 'PUT' });
      await api(`/api/discovery-queue/${current.game.id}`, { method: 'POST', json: { mark } });
      setQueue(queue.slice(1));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel discovery" data-testid="discovery">
      <h1>{t('discoveryQueue')}</h1>
      {!current ? (
        <p>{t('queueDone')}</p>
      ) : (
        <article data-testid="queue-item" data-game={current.game.slug}>
          <Link to={`/games/${current.game.slug}`}>
            <img className="game-cover" src={coverOf(current.game)} onError={coverFallback(current.game)} alt={current.game.title} />
          </Link>
          <h2>{current.game.title}</h2>
          <p className="reason">{reasonText(current.reason, t, locale)}</p>
          <p>{current.game.summary}</p>
          <PriceTag game={current.game} />
          <div className="row">
            <button type="button" className="button" onClick={() => void step('seen')} data-testid="queue-next">
              {t('queueNext')}
            </button>
            <button type="button" className="button secondary" onClick={() => void step('seen', true)}>
              {t('addToWishlist')}
            </button>
            <button
              type="button"
              className="button secondary"
              onClick={() => void step('not_interested')}
              data-testid="queue-not-interested"
            >
              {t('notInterested')}
            </button>
          </div>
          <p className="muted">{t('queueLeft').replace('{n}', String(queue.length - 1))}</p>
        </article>
      )}
    </section>
  );
}
