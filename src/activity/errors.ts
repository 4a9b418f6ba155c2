import { errorsFrom } from '../platform/errors.ts';

/** What wishlists and play sessions say when a request cannot be done, per language. */
export const activityError = errorsFrom({
  en: {
    already_owned: 'This game is already in your library, so it cannot go on your wishlist.',
    not_owned: 'You can only play games in your library. Buy it, or accept it as a gift, first.',
    'session_ended.silent': 'This play session ended when its heartbeats stopped. Start a new one.',
    'session_ended.over': 'This play session has ended. Start a new one.',
  },
  ko: {
    already_owned: '이 게임은 이미 라이브러리에 있어 찜 목록에 넣을 수 없습니다.',
    not_owned: '라이브러리에 있는 게임만 플레이할 수 있습니다. 먼저 구매하거나 선물을 수락해 주세요.',
    'session_ended.silent': '하트비트가 멈춰 이 플레이 세션이 끝났습니다. 새로 시작해 주세요.',
    'session_ended.over': '이 플레이 세션은 끝났습니다. 새로 시작해 주세요.',
  },
  ja: {
    already_owned: 'このゲームはすでにライブラリにあるため、ウィッシュリストに追加できません。',
    not_owned: 'プレイできるのはライブラリにあるゲームだけです。先に購入するか、ギフトを受け取ってください。',
    'session_ended.silent': 'ハートビートが止まったため、このプレイセッションは終了しました。新しく開始してください。',
    'session_ended.over': 'このプレイセッションは終了しました。新しく開始してください。',
  },
});
