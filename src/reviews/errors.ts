import { errorsFrom } from '../platform/errors.ts';

/** What reviews say when a request cannot be done, per language. */
export const reviewError = errorsFrom({
  en: {
    not_owned: 'Only players who have this game in their library can review it.',
    review_empty: 'Write a few words about the game: what did you like or not?',
    own_review: 'You cannot vote on your own review.',
  },
  ko: {
    not_owned: '라이브러리에 이 게임이 있는 플레이어만 리뷰할 수 있습니다.',
    review_empty: '게임에 대해 몇 마디 적어 주세요. 무엇이 좋았고 무엇이 아쉬웠나요?',
    own_review: '자신의 리뷰에는 투표할 수 없습니다.',
  },
  ja: {
    not_owned: 'レビューできるのは、このゲームをライブラリに持っているプレイヤーだけです。',
    review_empty: 'ゲームについて一言書いてください。何が良くて、何が良くなかったですか?',
    own_review: '自分のレビューには投票できません。',
  },
});
