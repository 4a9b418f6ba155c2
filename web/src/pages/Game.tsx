import { useEffect, useState } from 'react';
import { loginFor } from '../next.ts';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, get, type GameCard, type StoreGame, type WishlistEntry } from '../api.ts';
import type { RoomView } from '../../../src/waiting-room/schemas.ts';
import { Countdown, OfferPrice, Shelf } from '../components/GameCard.tsx';
import { Reviews } from '../components/Reviews.tsx';
import { Discussions } from '../components/Discussions.tsx';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { coverFallback, coverOf, formatDate } from '../format.ts';
import { Loading } from '../components/Loading.tsx';
import { cartChanged, useCartIds } from '../cart.ts';

export function Game() {
  const { slug = '' } = useParams();
  const { t, locale, country, language, me } = useSession();
  const [game, setGame] = useState<StoreGame>();
  const [error, setError] = useState<unknown>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // The reservation link in mails (/games/{id}?preorder=1) goes straight to the checkout once the game is known.
  useEffect(() => {
    if (game && params.get('preorder') === '1' && game.availability.purchasable)
      void navigate(me ? `/games/${game.slug}/checkout` : loginFor(`/games/${game.slug}/checkout`), { replace: true });
  }, [game, params, me, navigate]);
  const [similar, setSimilar] = useState<GameCard[]>([]);
  const [wished, setWished] = useState<boolean>();
  const [room, setRoom] = useState<RoomView | null>(null);
  useEffect(() => {
    if (me === undefined) return;
    setGame(undefined);
    get<StoreGame>(`/api/games/${encodeURIComponent(slug)}`).then(setGame, setError);
  }, [slug, country, language, me]);
  useEffect(() => {
    if (!game) return;
    get<GameCard[]>(`/api/games/${game.id}/similar`).then(setSimilar, () => setSimilar([]));
    get<RoomView | null>(`/api/games/${game.id}/waiting-room`).then(setRoom, () => setRoom(null));
    if (me)
      get<WishlistEntry[]>('/api/wishlist').then(
        (w) => setWished(w.some((x) => x.gameId === game.id)),
        () => setWished(undefined),
      );
  }, [game, me]);
  const toggleWish = async () => {
    if (!game) return;
    try {
      await api(`/api/wishlist/${game.id}`, { method: wished ? 'DELETE' : 'PUT' });
      setWished(!wished);
    } catch (err) {
      setError(err);
    }
  };
  // Added: to the cart, to pay (Steam's way); refused (owned, cart full): why, beside the button.
  const [cartError, setCartError] = useState<unknown>();
  const inCart = useCartIds();
  const addToCart = async () => {
    if (!game) return;
    setCartError(undefined);
    try {
      await api(`/api/cart/items/${game.id}`, { method: 'PUT', json: {} });
      cartChanged();
      void navigate('/cart');
    } catch (err) {
      setCartError(err);
    }
  };
  if (error) return <ErrorNote error={error} />;
  if (!game) return <Loading />;
  return (
    <article className="game-page">
      <div className="game-head">
        <img className="game-cover" src={coverOf(game)} onError={coverFallback(game)} alt={game.title} data-testid="game-cover" />
        <div className="game-info">
          <h1>{game.title}</h1>
          <p className="summary">{game.summary}</p>
          <dl className="facts">
            <dt>{t('release')}</dt>
            <dd>
              {formatDate(game.releaseDate, locale)}
              {!game.released && <span className="badge">{t('comingSoon')}</span>}
            </dd>
            <dt>{t('developer')}</dt>
            <dd>{game.developer}</dd>
            <dt>{t('publisher')}</dt>
            <dd>{game.publisher}</dd>
          </dl>
          <div className="chips">
            {game.genres.map((g) => (
              <span key={g} className="chip">
                {g}
              </span>
            ))}
          </div>
          <div className="buy-box" data-testid="buy-box">
            {game.availability.purchasable ? (
              <>
                <div className="availability ok">{t('available')}</div>
                {game.offer?.endsAt && <Countdown endsAt={game.offer.endsAt} />}
                {/* Release dates are calendar days, released from 00:00 UTC (the store's rule for "released"). */}
                {!game.released && game.releaseDate && <Countdown endsAt={`${game.releaseDate}T00:00:00Z`} kind="release" />}
                {room && (
                  <p className="muted" data-testid="waiting-room-note">
                    {t('waitingRoomNote').replace(
                      '{time}',
                      new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(room.startsAtUtc)),
                    )}
                  </p>
                )}
                <ul className="editions">
                  {game.editions.map((e) => (
                    <li key={e.id}>
                      <span>{e.name}</span>
                      <OfferPrice price={e.price} offer={e.offer} testId="edition-price" />
                    </li>
                  ))}
                </ul>
                <Link
                  className="button buy"
                  to={(() => {
                    // Behind a waiting room, Buy goes to the queue first (R6).
                    const next = room ? `/games/${game.slug}/queue?room=${room.id}` : `/games/${game.slug}/checkout`;
                    return me ? next : loginFor(next);
                  })()}
                  data-testid="buy"
                >
                  {game.released ? t('buy') : t('preorder')}
                </Link>
                {me && inCart?.includes(game.id) ? (
                  <Link className="button secondary add-to-cart" to="/cart" data-testid="in-cart">
                    {t('inCart')}
                  </Link>
                ) : me ? (
                  <button type="button" className="button secondary add-to-cart" onClick={() => void addToCart()} data-testid="add-to-cart">
                    {t('addToCart')}
                  </button>
                ) : (
                  <Link className="button secondary add-to-cart" to={loginFor(`/games/${game.slug}`)} data-testid="add-to-cart">
                    {t('addToCart')}
                  </Link>
                )}
                <ErrorNote error={cartError} />
                <Link
                  className="button secondary gift"
                  to={me ? `/games/${game.slug}/gift` : loginFor(`/games/${game.slug}/gift`)}
                  data-testid="buy-as-gift"
                >
                  {t('buyAsGift')}
                </Link>
                {me && wished !== undefined && (
                  <button
                    type="button"
                    className="button secondary wish"
                    onClick={() => void toggleWish()}
                    data-testid="wishlist-toggle"
                    aria-pressed={wished}
                  >
                    {wished ? t('onWishlist') : t('addToWishlist')}
                  </button>
                )}
              </>
            ) : (
              <div className="availability blocked" data-testid="unavailable" data-reason={game.availability.reason}>
                <strong>{t('unavailable')}</strong>
                <p>{game.availability.message}</p>
              </div>
            )}
          </div>
        </div>
      </div>
      <section className="about">
        <h2>{t('about')}</h2>
        {game.description.split('\n').map((p, i) => (
          <p key={i}>{p}</p>
        ))}
        {game.tags.length > 0 && (
          <>
            <h3>{t('tags')}</h3>
            <div className="chips">
              {game.tags.map((tag) => (
                <span key={tag} className="chip subtle">
                  {tag}
                </span>
              ))}
            </div>
          </>
        )}
      </section>
      <Reviews gameId={game.id} />
      <Discussions gameId={game.id} />
      <Shelf title={t('moreLikeThis')} games={similar} />
    </article>
  );
}
