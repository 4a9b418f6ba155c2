import { useEffect, useState } from 'react';
import { get, type GameCard as Card } from '../api.ts';
import { GameCard } from '../components/GameCard.tsx';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { countryName } from '../format.ts';
import { Loading } from '../components/Loading.tsx';

/** R5: what is on sale in the visitor's country now, most popular first. */
export function Sale() {
  const { t, country, language, locale } = useSession();
  const [items, setItems] = useState<Card[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<{ country: string; items: Card[] }>('/api/store/sale').then((r) => setItems(r.items), setError);
  }, [country, language]);
  if (error) return <ErrorNote error={error} />;
  if (!items) return <Loading />;
  return (
    <section className="shelf">
      <h1>
        {t('sale')} · {countryName(country, locale)}
      </h1>
      {items.length === 0 ? (
        <p>{t('saleEmpty')}</p>
      ) : (
        <div className="grid" data-testid="sale">
          {items.map((g) => (
            <GameCard key={g.id} game={g} />
          ))}
        </div>
      )}
    </section>
  );
}
