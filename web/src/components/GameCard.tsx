import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { GameCard as Card } from '../api.ts';
import { coverFallback, coverOf, formatDate, formatMoney } from '../format.ts';
import { useSession } from '../session.tsx';
import { storeNow } from '../clock.ts';

/** The price paid; on sale, the percent badge and the list price struck through before it (R5). */
export function OfferPrice({ price, offer, testId }: { price: Card['price']; offer?: Card['offer']; testId?: string }) {
  const { locale } = useSession();
  if (!price) return <span className="price">—</span>;
  return (
    <span className="offer-price">
      {offer && (
        <>
          <span className="sale-badge" data-testid="sale-badge">
            −{offer.percentOff}%
          </span>
          <s className="list-price" data-testid="list-price">
            {formatMoney(offer.listPrice, locale)}
          </s>
        </>
      )}
      <strong className={offer ? 'price on-sale' : 'price'} data-testid={testId}>
        {formatMoney(price, locale)}
      </strong>
    </span>
  );
}

/**
 * "Offer ends in 1 d 02:03:04" (or, for a release, "Releases in …"), counted on the store's clock (not the visitor's),
 * ticking every second.
 */
export function Countdown({ endsAt, kind = 'offer' }: { endsAt: string; kind?: 'offer' | 'release' }) {
  const { t } = useSession();
  const [now, setNow] = useState(() => storeNow().getTime());
  useEffect(() => {
    const timer = setInterval(() => setNow(storeNow().getTime()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Date.parse(endsAt) - now);
  const s = Math.floor(left / 1000);
  const d = Math.floor(s / 86_400);
  const hms = [Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return (
    <span className="countdown" data-testid={kind === 'release' ? 'release-countdown' : 'countdown'}>
      {left > 0
        ? t(kind === 'release' ? 'releasesIn' : 'offerEndsIn').replace('{time}', d ? `${d} d ${hms}` : hms)
        : t(kind === 'release' ? 'releasedNow' : 'offerEnded')}
    </span>
  );
}

export function PriceTag({ game }: { game: Pick<Card, 'price' | 'availability' | 'offer'> }) {
  const { t } = useSession();
  if (!game.availability.purchasable)
    return (
      <span className="price unavailable" title={game.availability.message}>
        {t('unavailable')}
      </span>
    );
  return <OfferPrice price={game.price} offer={game.offer} />;
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
            {!game.released && game.releaseDate && (
              <span className="muted" data-testid="release-in">
                {' '}
                · {t('inDays').replace('{n}', String(daysUntil(game.releaseDate)))}
              </span>
            )}
          </span>
          <PriceTag game={game} />
        </div>
      </div>
    </Link>
  );
}

/** Whole days from the store's today (UTC, as release dates are) to a release date; at least 1 before it. */
function daysUntil(releaseDate: string): number {
  return Math.max(1, Math.ceil((Date.parse(`${releaseDate}T00:00:00Z`) - storeNow().getTime()) / 86_400_000));
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
