import { errorsFrom } from '../platform/errors.ts';

/** What the waiting room says when a request cannot be done, per language. */
export const roomError = errorsFrom({
  en: {
    unknown_time_zone: '"{zone}" is not an IANA time zone such as Asia/Tokyo.',
    unknown_game: 'No game has this id; pick it from the catalogue.',
    ends_before_start: 'The waiting room must close after it opens.',
    room_overlaps: 'This game already has a waiting room at that time; end it first or pick another time.',
    room_closed: 'This waiting room is closed; checkout works as usual now.',
    waiting_room_required:
      'So many players are buying this game right now that checkout goes through a waiting room. Join the queue on the game’s page; you will be let in in turn.',
    admission_invalid: 'This admission is not for you or this game. Join the queue on the game’s page.',
    admission_expired: 'Your turn to check out has passed. Join the queue again on the game’s page.',
    admission_used: 'This admission was already used for another order. Join the queue again to buy once more.',
  },
  ko: {
    unknown_time_zone: '"{zone}"은(는) Asia/Tokyo 같은 IANA 시간대가 아닙니다.',
    unknown_game: '이 ID의 게임이 없습니다. 카탈로그에서 골라 주세요.',
    ends_before_start: '대기실은 열린 뒤에 닫혀야 합니다.',
    room_overlaps: '이 게임에는 그 시간에 이미 대기실이 있습니다. 먼저 그 대기실을 끝내거나 다른 시간을 골라 주세요.',
    room_closed: '이 대기실은 닫혔습니다. 이제 평소처럼 결제할 수 있습니다.',
    waiting_room_required:
      '지금 이 게임을 사려는 플레이어가 많아 결제는 대기실을 거칩니다. 게임 페이지에서 대기열에 들어가 주세요. 차례가 되면 들어갈 수 있습니다.',
    admission_invalid: '이 입장권은 나 또는 이 게임의 것이 아닙니다. 게임 페이지에서 대기열에 들어가 주세요.',
    admission_expired: '결제 차례가 지났습니다. 게임 페이지에서 다시 대기열에 들어가 주세요.',
    admission_used: '이 입장권은 이미 다른 주문에 사용되었습니다. 한 번 더 사려면 다시 대기열에 들어가 주세요.',
  },
  ja: {
    unknown_time_zone: '「{zone}」は Asia/Tokyo のような IANA のタイムゾーンではありません。',
    unknown_game: 'この ID のゲームはありません。カタログから選んでください。',
    ends_before_start: '待機室は開いた後に閉じる必要があります。',
    room_overlaps: 'このゲームにはその時間にすでに待機室があります。先にそれを終了するか、別の時間を選んでください。',
    room_closed: 'この待機室は閉じました。今は通常どおり購入できます。',
    waiting_room_required:
      '今このゲームを購入しようとしているプレイヤーが多いため、購入は待機室を通ります。ゲームのページで列に並んでください。順番に入れます。',
    admission_invalid: 'この入場券はあなたまたはこのゲームのものではありません。ゲームのページで列に並んでください。',
    admission_expired: '購入の順番が過ぎました。ゲームのページでもう一度列に並んでください。',
    admission_used: 'この入場券はすでに別の注文に使われました。もう一度購入するには、再び列に並んでください。',
  },
});
