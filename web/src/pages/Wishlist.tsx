import { useEffect, useState } from 'react';
import { Navigate } from 'react-router';
import { get, type WishlistEntry } from '../api.ts';
import { GameCard } from '../components/GameCard.tsx';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { loginFor } from '../next.ts';
import { Loading } from '../components/Loading.tsx';

export function Wishlist() {
  const { t, me, country, language } = useSession();
  const [items, setItems] = useState<WishlistEntry[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!me) return;
    get<WishlistEntry[]>('/api/wishlist').then(setItems, setError);
  }, [me, country, language]);
  if (me === null) return <Navigate to={loginFor('/wishlist')} replace />;
  if (error) return <ErrorNote error={error} />;
  if (!items) return <Loading />;
  return (
    <section className="shelf">
      <h1>{t('wishlist')}</h1>
      {items.length === 0 ? (
        <p>{t('wishlistEmpty')}</p>
      ) : (
        <div className="grid" data-testid="wishlist">
          {items.map((w) => (w.game ? <GameCard key={w.gameId} game={w.game} /> : null))}
        </div>
      )}
    </section>
  );
}
