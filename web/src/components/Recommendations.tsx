import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { get, type Reason, type Recommendation } from '../api.ts';
import { GameCard } from './GameCard.tsx';
import { useSession } from '../session.tsx';
import type { T } from '../i18n.ts';

/** The sentence beside a recommendation, in the UI language. */
export function reasonText(r: Reason, t: T, locale: string): string {
  switch (r.kind) {
    case 'because_played':
      return t('becausePlayed').replace('{title}', r.title);
    case 'because_wishlisted':
      return t('becauseWishlisted').replace('{title}', r.title);
    case 'because_owned':
      return t('becauseOwned').replace('{title}', r.title);
    case 'friends_play':
      return (r.friends === 1 ? t('friendPlays') : t('friendsPlay')).replace('{count}', String(r.friends));
    case 'trending_social':
      return t('trendingSocial').replace('{n}', String(r.mentions));
    case 'liked_genre':
      return t('likedGenre').replace('{genre}', r.genre);
    case 'popular_in_country':
      return t('popularIn').replace('{country}', new Intl.DisplayNames([locale], { type: 'region' }).of(r.country) ?? r.country);
    case 'popular':
      return t('popularNow');
  }
}

/** "Recommended for you": games with their reasons; changes with every wishlist and play (R8, R9). */
export function RecommendedShelf() {
  const { t, locale, country, language, me } = useSession();
  const [recs, setRecs] = useState<Recommendation[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (me === undefined) return;
    get<Recommendation[]>('/api/recommendations?limit=8').then(setRecs, () => setRecs([]));
  }, [country, language, me, version]);
  if (!recs.length) return null;
  // A player the store knows nothing about yet is asked for the genres they like (cold start).
  const cold = me && recs.every((r) => ['popular', 'popular_in_country', 'liked_genre'].includes(r.reason.kind));
  return (
    <section className="shelf" data-testid="recommended">
      <h2>{t('recommended')}</h2>
      {cold && <GenrePicker onSaved={() => setVersion((v) => v + 1)} />}
      <div className="grid">
        {recs.map((r) => (
          <div key={r.game.id} className="recommendation" data-testid="recommendation" data-game={r.game.slug}>
            <GameCard game={r.game} />
            <p className="reason" data-testid="reason">
              {reasonText(r.reason, t, locale)}
            </p>
          </div>
        ))}
      </div>
    </section>
  );
}

function GenrePicker({ onSaved }: { onSaved: () => void }) {
  const { t } = useSession();
  const [genres, setGenres] = useState<{ name: string; games: number }[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  useEffect(() => {
    get<{ name: string; games: number }[]>('/api/store/genres').then(setGenres, () => setGenres([]));
    get<{ genres: string[] }>('/api/me/genres').then(
      (r) => setPicked(r.genres),
      () => setPicked([]),
    );
  }, []);
  const toggle = async (name: string) => {
    const next = picked.includes(name) ? picked.filter((g) => g !== name) : [...picked, name];
    setPicked(next);
    await api('/api/me/genres', { method: 'PUT', json: { genres: next } });
    onSaved();
  };
  if (!genres.length) return null;
  return (
    <div className="genre-picker" data-testid="genre-picker">
      <p>{t('pickGenres')}</p>
      {/* Genre names are the catalogue's (game data), not the UI's: marked so (translate="no"). */}
      <div className="chips" translate="no">
        {genres.map((g) => (
          <button key={g.name} type="button" className="chip" aria-pressed={picked.includes(g.name)} onClick={() => void toggle(g.name)}>
            {g.name}
          </button>
        ))}
      </div>
    </div>
  );
}
