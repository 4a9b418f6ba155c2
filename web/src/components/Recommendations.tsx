import { useEffect, useState } from 'react';
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
  useEffect(() => {
    if (me === undefined) return;
    get<Recommendation[]>('/api/recommendations?limit=8').then(setRecs, () => setRecs([]));
  }, [country, language, me]);
  if (!recs.length) return null;
  return (
    <section className="shelf" data-testid="recommended">
      <h2>{t('recommended')}</h2>
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
