import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { get, type HomePage } from '../api.ts';
import { Shelf, PriceTag } from '../components/GameCard.tsx';
import { ErrorNote } from '../components/Form.tsx';
import { RecommendedShelf } from '../components/Recommendations.tsx';
import { useSession } from '../session.tsx';
import { coverFallback, coverOf, formatDate } from '../format.ts';
import { Loading } from '../components/Loading.tsx';

export function Home() {
  const { t, country, language, locale, me } = useSession();
  const [home, setHome] = useState<HomePage>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (me === undefined) return;
    get<HomePage>('/api/store/home').then(setHome, setError);
  }, [country, language, me]);
  if (error) return <ErrorNote error={error} />;
  if (!home) return <Loading />;
  const hero = home.upcoming[0] ?? home.newReleases[0];
  return (
    <>
      {hero && (
        <Link to={`/games/${hero.slug}`} className="hero">
          <img src={coverOf(hero)} onError={coverFallback(hero)} alt="" />
          <div className="hero-text">
            <span className="eyebrow">
              {hero.released ? t('newReleases') : `${t('comingSoon')} · ${formatDate(hero.releaseDate, locale)}`}
            </span>
            <h1>{hero.title}</h1>
            <p>{hero.summary}</p>
            <PriceTag game={hero} />
          </div>
        </Link>
      )}
      <RecommendedShelf />
      <Shelf title={t('upcoming')} games={home.upcoming} />
      <Shelf title={t('newReleases')} games={home.newReleases} />
      <Shelf title={t('popular')} games={home.popular} />
      <section className="shelf">
        <h2>{t('genres')}</h2>
        <div className="chips" translate="no">
          {home.genres.map((g) => (
            <Link key={g.name} to={`/search?genre=${encodeURIComponent(g.name)}`} className="chip">
              {g.name} <small>{g.games}</small>
            </Link>
          ))}
        </div>
      </section>
    </>
  );
}
