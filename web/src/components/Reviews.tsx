import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, get, type ReviewPage, type ReviewView } from '../api.ts';
import { ErrorNote } from './Form.tsx';
import { useSession } from '../session.tsx';
import type { T } from '../i18n.ts';

const labelKey = {
  overwhelmingly_positive: 'reviewOverwhelminglyPositive',
  very_positive: 'reviewVeryPositive',
  positive: 'reviewPositive',
  mostly_positive: 'reviewMostlyPositive',
  mixed: 'reviewMixed',
  mostly_negative: 'reviewMostlyNegative',
  negative: 'reviewNegative',
  very_negative: 'reviewVeryNegative',
  overwhelmingly_negative: 'reviewOverwhelminglyNegative',
} as const;

function scoreLine(s: ReviewPage['summary'], t: T): string {
  if (s.total === 0) return t('noReviews');
  const key = labelKey[s.label as keyof typeof labelKey];
  const count = s.total === 1 ? t('reviewCountOne') : t('reviewCount').replace('{n}', String(s.total));
  return key ? `${t(key)} · ${s.percentPositive}% · ${count}` : count;
}

/** Reviews on a game page (R9): the score line, the most helpful reviews, votes, and the owner's own review. */
export function Reviews({ gameId }: { gameId: string }) {
  const { t, me, locale } = useSession();
  const [page, setPage] = useState<ReviewPage>();
  const [error, setError] = useState<unknown>();
  const [draft, setDraft] = useState<{ recommended: boolean; body: string }>({ recommended: true, body: '' });
  const load = useCallback(() => get<ReviewPage>(`/api/games/${gameId}/reviews`).then(setPage, setError), [gameId]);
  useEffect(() => {
    void load();
  }, [load, me]);
  useEffect(() => {
    if (page?.mine) setDraft({ recommended: page.mine.recommended, body: page.mine.body });
  }, [page?.mine]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api(`/api/games/${gameId}/reviews/mine`, { method: 'PUT', json: draft });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const vote = async (r: ReviewView, helpful: 'yes' | 'no' | 'none', funny: boolean) => {
    try {
      await api(`/api/reviews/${r.id}/vote`, { method: 'PUT', json: { helpful, funny } });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  if (!page) return <ErrorNote error={error} />;
  return (
    <section className="reviews" data-testid="reviews">
      <h2>{t('reviews')}</h2>
      <p className="score-line" data-testid="score-line">
        {scoreLine(page.summary, t)}
      </p>
      {me && (
        <form className="panel review-form" onSubmit={submit} data-testid="review-form">
          <h3>{page.mine ? t('editReview') : t('writeReview')}</h3>
          <div className="row">
            <label className="check">
              <input
                type="radio"
                name="recommended"
                checked={draft.recommended}
                onChange={() => setDraft({ ...draft, recommended: true })}
              />{' '}
              👍 {t('recommend')}
            </label>
            <label className="check">
              <input
                type="radio"
                name="recommended"
                checked={!draft.recommended}
                onChange={() => setDraft({ ...draft, recommended: false })}
              />{' '}
              👎 {t('notRecommend')}
            </label>
          </div>
          <textarea
            name="review"
            aria-label={page.mine ? t('editReview') : t('writeReview')}
            rows={4}
            maxLength={8000}
            value={draft.body}
            onChange={(e) => setDraft({ ...draft, body: e.target.value })}
          />
          <ErrorNote error={error} />
          <button type="submit" className="button">
            {t('postReview')}
          </button>
        </form>
      )}
      <ul className="review-list">
        {page.items.map((r) => (
          <li key={r.id} className="review" data-testid="review">
            <div className="review-head">
              <strong>{r.recommended ? `👍 ${t('recommend')}` : `👎 ${t('notRecommend')}`}</strong>
              <span className="muted">
                {r.author.name} ·{' '}
                {t('hoursOnRecord').replace('{h}', (r.playtimeMinutes / 60).toLocaleString(locale, { maximumFractionDigits: 1 }))}
              </span>
            </div>
            <p>{r.body}</p>
            <div className="review-votes muted">
              <span>{t('helpfulCount').replace('{n}', String(r.helpful)).replace('{f}', String(r.funny))}</span>
              {me && me.id !== r.author.id && (
                <>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={r.myVote?.helpful === 'yes'}
                    onClick={() => void vote(r, r.myVote?.helpful === 'yes' ? 'none' : 'yes', r.myVote?.funny ?? false)}
                  >
                    {t('yes')}
                  </button>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={r.myVote?.helpful === 'no'}
                    onClick={() => void vote(r, r.myVote?.helpful === 'no' ? 'none' : 'no', r.myVote?.funny ?? false)}
                  >
                    {t('no')}
                  </button>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={r.myVote?.funny ?? false}
                    onClick={() => void vote(r, r.myVote?.helpful ?? 'none', !(r.myVote?.funny ?? false))}
                  >
                    {t('funny')}
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
