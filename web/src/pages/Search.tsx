import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { get, type SearchResult } from '../api.ts';
import { GameCard } from '../components/GameCard.tsx';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { fromMinor, toMinor } from '../format.ts';

export function Search() {
  const { t, country, language, me } = useSession();
  const [params, setParams] = useSearchParams();
  const [result, setResult] = useState<SearchResult>();
  const [genres, setGenres] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const currency = result?.currency ?? 'USD';
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');

  useEffect(() => {
    get<{ name: string }[]>('/api/store/genres').then((g) => setGenres(g.map((x) => x.name)), setError);
  }, []);
  useEffect(() => {
    if (me === undefined) return;
    setError(undefined);
    get<SearchResult>(`/api/games?${params.toString()}`).then((r) => {
      setResult(r);
      setMin(params.get('minPrice') ? fromMinor(Number(params.get('minPrice')), r.currency) : '');
      setMax(params.get('maxPrice') ? fromMinor(Number(params.get('maxPrice')), r.currency) : '');
    }, setError);
  }, [params, country, language, me]);

  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('page');
    setParams(next);
  };
  const applyPrice = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams(params);
    for (const [key, v] of [
      ['minPrice', min],
      ['maxPrice', max],
    ] as const) {
      if (v) next.set(key, String(toMinor(v, currency)));
      else next.delete(key);
    }
    setParams(next);
  };
  const page = Number(params.get('page') ?? 1);

  return (
    <div className="search-page">
      <aside className="filters">
        <h3>{t('genre')}</h3>
        <select aria-label={t('genre')} value={params.get('genre') ?? ''} onChange={(e) => set('genre', e.target.value)}>
          <option value="">{t('any')}</option>
          {genres.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
        <h3>{t('released')}</h3>
        <select aria-label={t('released')} value={params.get('release') ?? ''} onChange={(e) => set('release', e.target.value)}>
          <option value="">{t('any')}</option>
          <option value="released">{t('released')}</option>
          <option value="upcoming">{t('comingSoon')}</option>
        </select>
        <h3>
          {t('priceRange')} ({currency})
        </h3>
        <form onSubmit={applyPrice} className="price-range">
          <input aria-label={t('min')} placeholder={t('min')} inputMode="decimal" value={min} onChange={(e) => setMin(e.target.value)} />
          <input aria-label={t('max')} placeholder={t('max')} inputMode="decimal" value={max} onChange={(e) => setMax(e.target.value)} />
          <button type="submit">{t('apply')}</button>
        </form>
        {!params.get('q') && (
          <>
            <h3>{t('sort')}</h3>
            <select aria-label={t('sort')} value={params.get('sort') ?? 'popular'} onChange={(e) => set('sort', e.target.value)}>
              <option value="popular">{t('popular')}</option>
              <option value="newest">{t('newest')}</option>
              <option value="price">{t('priceLow')}</option>
            </select>
          </>
        )}
      </aside>
      <section className="results">
        <ErrorNote error={error} />
        {result && (
          <>
            {/* The page's heading (screen readers jump to it): what was searched and how much was found. */}
            <h1 className="result-count">
              {params.get('q') && <strong>“{params.get('q')}” · </strong>}
              {result.total.toLocaleString()} {t('results')}
            </h1>
            {result.items.length === 0 ? (
              <p className="empty">{t('noResults')}</p>
            ) : (
              <div className="grid">
                {result.items.map((g) => (
                  <GameCard key={g.id} game={g} />
                ))}
              </div>
            )}
            {result.total > result.page * result.pageSize && (
              <div className="pager">
                {page > 1 && <button onClick={() => set('page', String(page - 1))}>‹</button>}
                <span>{page}</span>
                <button
                  onClick={() => {
                    const n = new URLSearchParams(params);
                    n.set('page', String(page + 1));
                    setParams(n);
                  }}
                >
                  ›
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </div>
  );
}
