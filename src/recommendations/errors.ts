import { errorsFrom } from '../platform/errors.ts';

/** What recommendations say when a request cannot be done, per language. */
export const recommendationError = errorsFrom({
  en: { unknown_genre: 'The store has no genre {genres}. Pick from the genres the store lists.' },
  ko: { unknown_genre: '스토어에 {genres} 장르가 없습니다. 스토어에 있는 장르에서 골라 주세요.' },
  ja: { unknown_genre: 'ストアに {genres} というジャンルはありません。ストアにあるジャンルから選んでください。' },
});
