import { Link } from 'react-router';
import type { GameCard as Card } from '../api.ts';
import { coverFallback, coverOf, formatDate, formatMoney } from '../format.ts';
import { useSession } from '../session.tsx';

export function PriceTag({ game }: { game: Pick<Card, 'price' | 'availability'> }) {
  const { locale, t } = useSession();
  if (!game.availability.purchasable)
    return (
      <span className="price unavailable" title={game.availability.message}>
        {t('unavailable')}
      </span>
    );
  return <span className="price">{game.price ? formatMoney(game.price, locale) : ''}</span>;
}

export function GameCard({ game }: { game: Card }) {
  const { locale, t } = useSession();
  return (
    <Link to={`/games/${game.slug}`} className="card" data-testid="game-card">
      <img src={coverOf(game)} onError={coverFallback(game)} alt="" loading="lazy" />
      <div className="card-body">
        <div className="card-title">{game.title}</div>
        <div className="card-meta">
          <span>
            {game.released ? formatDate(game.releaseDate, locale) : `${t('comingSoon')} · ${formatDate(game.releaseDate, locale)}`}
          </span>
          <PriceTag game={game} />
        </div>
      </div>
    </Link>
  );
}

export function Shelf({ title, games }: { title: string; games: Card[] }) {
  if (!games.length) return null;
  return (
    <section className="shelf">
      <h2>{title}</h2>
      <div className="grid">
        {games.map((g) => (
          <GameCard key={g.id} game={g} />
        ))}
      </div>
    </section>
  );
}
