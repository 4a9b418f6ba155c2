import { errorsFrom } from '../platform/errors.ts';
import { messages } from '../platform/messages.ts';

/** What orders say when a request cannot be done, per language (gifts use the checkout ones too). */
export const orderError = errorsFrom({
  en: {
    idempotency_key_required:
      'Send an Idempotency-Key header (8–100 letters, digits, - or _), the same one when you retry, so an order is never placed twice.',
    'already_owned.order': 'You already own this game or have an order of it in progress. See your purchase list.',
    'already_owned.library': 'This game is already in your library. See your library.',
    payment_method_not_offered: '"{method}" is not offered in your country. Choose one of: {methods}.',
    insufficient_points: 'You can use at most {usable} points for this order (balance {balance}).',
    gift_order:
      'This order paid for a gift: it is refunded when the recipient declines it or does not answer within 30 days, or when you cancel it before delivery (see your gifts).',
    already_refunded: 'This order is already refunded or being refunded.',
    not_paid: 'Only a paid order can be refunded.',
    refund_window_over: 'Refunds are possible within {days} days of purchase or release.',
    'not_released.date': 'This game is released on {date}; the download opens that day.',
    'not_released.tba': 'This game is released on a date still to be announced; the download opens that day.',
    invalid_download_link: 'This download link is not valid. Get a new one from your library.',
    download_link_expired: 'This download link has expired. Get a new one from your library.',
    not_owned: 'This game is no longer in your library.',
    invalid_webhook: 'The webhook signature is missing, wrong or too old.',
    cart_empty: 'Your cart is empty. Add games to it from their pages first.',
    cart_full: 'Your cart holds at most {limit} games. Buy or remove some first.',
    cart_unavailable: '“{title}” cannot be bought now: {reason} Remove it from your cart to buy the rest.',
    cart_currencies:
      'The games in your cart are priced in different currencies ({currencies}); one payment pays one currency. Buy the games priced in {other} separately.',
    cart_changed: 'Your cart changed since you loaded it. Look at it again before you pay.',
  },
  ko: {
    idempotency_key_required:
      'Idempotency-Key 헤더(영문자·숫자·-·_ 8–100자)를 보내 주세요. 다시 시도할 때도 같은 값을 보내면 주문이 두 번 들어가지 않습니다.',
    'already_owned.order': '이미 이 게임을 가지고 있거나 진행 중인 주문이 있습니다. 구매 내역을 확인해 주세요.',
    'already_owned.library': '이 게임은 이미 라이브러리에 있습니다. 라이브러리를 확인해 주세요.',
    payment_method_not_offered: '"{method}"은(는) 거주 국가에서 제공되지 않는 결제 수단입니다. 다음 중에서 골라 주세요: {methods}.',
    insufficient_points: '이 주문에는 최대 {usable} 포인트까지 쓸 수 있습니다(잔액 {balance}).',
    gift_order: '선물 결제 주문입니다. 받는 분이 거절하거나 30일 안에 답하지 않을 때, 또는 전달 전에 취소할 때 환불됩니다(선물 목록 참고).',
    already_refunded: '이 주문은 이미 환불되었거나 환불 중입니다.',
    not_paid: '결제된 주문만 환불할 수 있습니다.',
    refund_window_over: '환불은 구매일 또는 출시일로부터 {days}일 안에만 가능합니다.',
    'not_released.date': '이 게임은 {date}에 출시됩니다. 그날부터 다운로드할 수 있습니다.',
    'not_released.tba': '이 게임의 출시일은 아직 발표되지 않았습니다. 출시일부터 다운로드할 수 있습니다.',
    invalid_download_link: '유효하지 않은 다운로드 링크입니다. 라이브러리에서 새 링크를 받아 주세요.',
    download_link_expired: '다운로드 링크가 만료되었습니다. 라이브러리에서 새 링크를 받아 주세요.',
    not_owned: '이 게임은 더 이상 라이브러리에 없습니다.',
    invalid_webhook: '웹훅 서명이 없거나, 틀렸거나, 너무 오래되었습니다.',
    cart_empty: '장바구니가 비어 있습니다. 먼저 게임 페이지에서 게임을 담아 주세요.',
    cart_full: '장바구니에는 최대 {limit}개의 게임을 담을 수 있습니다. 먼저 일부를 구매하거나 빼 주세요.',
    cart_unavailable: '“{title}”은(는) 지금 구매할 수 없습니다: {reason} 장바구니에서 빼면 나머지를 구매할 수 있습니다.',
    cart_currencies:
      '장바구니의 게임들이 서로 다른 통화({currencies})로 가격이 매겨져 있습니다. 한 번의 결제는 한 통화로만 할 수 있으니 {other}(으)로 가격이 매겨진 게임은 따로 구매해 주세요.',
    cart_changed: '불러온 뒤 장바구니가 바뀌었습니다. 결제하기 전에 다시 확인해 주세요.',
  },
  ja: {
    idempotency_key_required:
      'Idempotency-Key ヘッダー(英数字・-・_ で 8〜100 文字)を送ってください。再試行でも同じ値を送れば、注文が二重になりません。',
    'already_owned.order': 'このゲームはすでに持っているか、処理中の注文があります。購入履歴をご確認ください。',
    'already_owned.library': 'このゲームはすでにライブラリにあります。ライブラリをご確認ください。',
    payment_method_not_offered: '「{method}」はお住まいの国では使えません。次から選んでください: {methods}。',
    insufficient_points: 'この注文に使えるのは最大 {usable} ポイントです(残高 {balance})。',
    gift_order:
      'これはギフトの注文です。受け取る人が辞退したとき、30 日以内に返事がないとき、または届く前にキャンセルしたときに返金されます(ギフト一覧を参照)。',
    already_refunded: 'この注文はすでに返金済みか、返金処理中です。',
    not_paid: '返金できるのは支払い済みの注文だけです。',
    refund_window_over: '返金できるのは購入日または発売日から {days} 日以内です。',
    'not_released.date': 'このゲームの発売日は {date} です。その日からダウンロードできます。',
    'not_released.tba': 'このゲームの発売日はまだ発表されていません。発売日からダウンロードできます。',
    invalid_download_link: 'このダウンロードリンクは無効です。ライブラリから新しいリンクを取得してください。',
    download_link_expired: 'このダウンロードリンクは期限切れです。ライブラリから新しいリンクを取得してください。',
    not_owned: 'このゲームはもうライブラリにありません。',
    invalid_webhook: 'Webhook の署名がないか、正しくないか、古すぎます。',
    cart_empty: 'カートは空です。まずゲームのページからカートに入れてください。',
    cart_full: 'カートに入れられるゲームは最大 {limit} 本です。先にいくつか購入するか、削除してください。',
    cart_unavailable: '「{title}」は今は購入できません: {reason} カートから削除すれば残りを購入できます。',
    cart_currencies:
      'カートのゲームの価格の通貨が異なります({currencies})。1 回のお支払いは 1 つの通貨だけです。{other} で価格が付いたゲームは別に購入してください。',
    cart_changed: '読み込んだ後にカートが変わりました。お支払いの前にもう一度ご確認ください。',
  },
});

/** Why an order failed, as the buyer reads it (the stored sentence is English, kept for operators and unknown codes). */
const failures = messages({
  en: {
    payment_declined: 'The payment was declined. Try another payment method.',
    'payment_declined.unapproved': 'The payment was not approved in time or was cancelled.',
    already_owned: 'You already own this game or have an order of it in progress.',
    promotion_sold_out: 'The discounted copies of this offer are all gone. Check out again to see the current price.',
    coupon_used_up: 'This coupon code has no uses left. Check out again without it or with another code.',
    not_refundable: 'This order is not paid, so it cannot be refunded.',
    insufficient_points: 'Your points balance changed meanwhile and no longer covers the points this order uses. Check out again.',
    gift_pending: 'Your friend already has this game on its way as a gift.',
    order_conflict: 'This order could not be created. Try again.',
  },
  ko: {
    payment_declined: '결제가 거절되었습니다. 다른 결제 수단을 사용해 주세요.',
    'payment_declined.unapproved': '결제가 제시간에 승인되지 않았거나 취소되었습니다.',
    already_owned: '이미 이 게임을 가지고 있거나 진행 중인 주문이 있습니다.',
    promotion_sold_out: '이 할인 수량이 모두 소진되었습니다. 다시 결제하면 현재 가격을 볼 수 있습니다.',
    coupon_used_up: '이 쿠폰 코드는 남은 사용 횟수가 없습니다. 쿠폰 없이 또는 다른 코드로 다시 결제해 주세요.',
    not_refundable: '결제되지 않은 주문이라 환불할 수 없습니다.',
    insufficient_points: '그사이 포인트 잔액이 바뀌어 이 주문에 쓰려던 포인트가 부족합니다. 다시 결제해 주세요.',
    gift_pending: '친구에게 이미 이 게임 선물이 가는 중입니다.',
    order_conflict: '주문을 만들 수 없었습니다. 다시 시도해 주세요.',
  },
  ja: {
    payment_declined: 'お支払いが拒否されました。別のお支払い方法をお試しください。',
    'payment_declined.unapproved': 'お支払いが時間内に承認されなかったか、キャンセルされました。',
    already_owned: 'このゲームはすでに持っているか、処理中の注文があります。',
    promotion_sold_out: 'この割引の数量はすべてなくなりました。もう一度購入手続きをすると現在の価格が表示されます。',
    coupon_used_up: 'このクーポンコードは使用回数が残っていません。クーポンなし、または別のコードで購入手続きをしてください。',
    not_refundable: 'この注文は支払われていないため、返金できません。',
    insufficient_points: 'その間にポイント残高が変わり、この注文で使うポイントが足りなくなりました。もう一度購入手続きをしてください。',
    gift_pending: 'お友だちにはこのゲームのギフトがすでに届く予定です。',
    order_conflict: '注文を作成できませんでした。もう一度お試しください。',
  },
});
type FailureKey = Parameters<typeof failures>[1];

export function failureText(language: string, code: string, stored: string): string {
  const key = (code === 'payment_declined' && /not approved in time/.test(stored) ? 'payment_declined.unapproved' : code) as FailureKey;
  return key in failures.catalogue.en ? failures(language, key) : stored;
}
