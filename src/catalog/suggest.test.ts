import { describe, expect, it } from 'vitest';
import { TitleIndex, type SuggestRow } from './suggest.ts';

const row = (slug: string, title: Record<string, string>, popularity: number): SuggestRow => ({
  slug,
  title,
  default_language: 'en',
  popularity,
});
const index = new TitleIndex([
  row('dark-souls', { en: 'Dark Souls III', ja: 'ダークソウルIII' }, 900),
  row('darkest', { en: 'Darkest Dungeon' }, 950),
  row('dragon', { en: 'Dragon Quest XI', ja: 'ドラゴンクエストXI', ko: '드래곤 퀘스트 XI' }, 800),
  row('soul-calibur', { en: 'Soul Calibur' }, 100),
  row('quiet', { en: 'Quiet Harbor' }, 10),
]);
const slugs = (typed: string, language = 'en', limit?: number) => index.suggest(typed, language, limit).map((s) => s.slug);

describe('type-ahead index (R8, issue 15)', () => {
  it('R8 matches the start of a title or of any word in it, most popular first', () => {
    expect(slugs('dark')).toEqual(['darkest', 'dark-souls']);
    expect(slugs('dark s')).toEqual(['dark-souls']);
    expect(slugs('sou')).toEqual(['dark-souls', 'soul-calibur']);
    expect(slugs('harb')).toEqual(['quiet']);
    expect(slugs('ark')).toEqual([]); // inside a Latin word is not a start
    expect(slugs('')).toEqual([]);
    expect(slugs('   ')).toEqual([]);
  });

  it('R8 Japanese and Korean: from any character of a run written without spaces, and titles in the reader’s language', () => {
    expect(slugs('クエスト')).toEqual(['dragon']);
    expect(slugs('ソウル')).toEqual(['dark-souls']);
    expect(slugs('퀘스트')).toEqual(['dragon']);
    expect(index.suggest('드래', 'ko')).toEqual([{ slug: 'dragon', title: '드래곤 퀘스트 XI' }]);
    expect(index.suggest('drag', 'ja')).toEqual([{ slug: 'dragon', title: 'ドラゴンクエストXI' }]);
  });

  it('R8 folds case, full-width letters and repeated spaces; one entry per game; the limit keeps the most popular', () => {
    expect(slugs('ＤＡＲＫ')).toEqual(['darkest', 'dark-souls']);
    expect(slugs('DARK   souls')).toEqual(['dark-souls']);
    expect(slugs('d', 'en', 2)).toEqual(['darkest', 'dark-souls']);
    expect(slugs('d')).toEqual(['darkest', 'dark-souls', 'dragon']);
  });
});
