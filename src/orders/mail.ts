import type { Mail } from '../platform/mail/outbox.ts';
import { messages } from '../platform/messages.ts';
import { formatCount, formatMoney, type Money } from '../platform/money.ts';

/** The orders' mails to buyers, in their language (en, ko, ja; others read English). */
const t = messages({
  en: {
    confirmedSubject: '{kind, select, preorder {Pre-order} other {Purchase}} confirmed: {title}',
    confirmedBody: 'Thank you! Your {kind, select, preorder {pre-order} other {purchase}} of {title} is complete.',
    paid: 'Paid: {money}',
    paidWithPoints: 'Paid: {money} + {points} points',
    earned: 'Points earned: {points}',
    refundHint: 'You can request a refund from your purchase list: {link}',
    refundSubject: 'Refund completed: {title}',
    refundBody: 'Your order of {title} is cancelled and refunded.',
    giftRefundSubject:
      '{outcome, select, declined {{name} declined your gift of {title}: refunded} expired {Your gift of {title} was not accepted within 30 days: refunded} other {Your gift of {title} is cancelled and refunded}}',
    giftRefundBody: 'Your gift of {title} to {name} was {outcome}; its payment is refunded.',
    refunded: 'Refunded: {money}',
    pointsReturned: 'Points returned: {points}',
    earnedTakenBack: 'Earned points taken back: {points}',
    shortfall: 'Already spent earned points kept back from the refund: {points}',
  },
  ko: {
    confirmedSubject: '{kind, select, preorder {예약 구매} other {구매}} 완료: {title}',
    confirmedBody: '감사합니다! {title} {kind, select, preorder {예약 구매가} other {구매가}} 완료되었습니다.',
    paid: '결제 금액: {money}',
    paidWithPoints: '결제 금액: {money} + {points} 포인트',
    earned: '적립 포인트: {points}',
    refundHint: '구매 내역에서 환불을 요청할 수 있습니다: {link}',
    refundSubject: '환불 완료: {title}',
    refundBody: '{title} 주문이 취소되고 환불되었습니다.',
    giftRefundSubject:
      '{outcome, select, declined {{name}님이 {title} 선물을 거절했습니다: 환불 완료} expired {{title} 선물이 30일 안에 수락되지 않았습니다: 환불 완료} other {{title} 선물이 취소되고 환불되었습니다}}',
    giftRefundBody:
      '{name}님에게 보낸 {title} 선물이 {outcome, select, declined {거절되어} expired {기한 안에 수락되지 않아} other {취소되어}} 결제 금액을 환불했습니다.',
    refunded: '환불 금액: {money}',
    pointsReturned: '돌려받은 포인트: {points}',
    earnedTakenBack: '회수된 적립 포인트: {points}',
    shortfall: '이미 사용한 적립 포인트만큼 환불에서 차감: {points}',
  },
  ja: {
    confirmedSubject: '{kind, select, preorder {予約購入} other {購入}}完了: {title}',
    confirmedBody: 'ありがとうございます。{title}の{kind, select, preorder {予約購入} other {購入}}が完了しました。',
    paid: 'お支払い: {money}',
    paidWithPoints: 'お支払い: {money} + {points}ポイント',
    earned: '獲得ポイント: {points}',
    refundHint: '購入履歴から返金をリクエストできます: {link}',
    refundSubject: '返金完了: {title}',
    refundBody: '{title}のご注文はキャンセルされ、返金されました。',
    giftRefundSubject:
      '{outcome, select, declined {{name}さんが{title}のギフトを辞退しました: 返金済み} expired {{title}のギフトは30日以内に受け取られませんでした: 返金済み} other {{title}のギフトはキャンセルされ、返金されました}}',
    giftRefundBody:
      '{name}さんへの{title}のギフトは{outcome, select, declined {辞退された} expired {期限内に受け取られなかった} other {キャンセルされた}}ため、お支払いを返金しました。',
    refunded: '返金額: {money}',
    pointsReturned: '返還されたポイント: {points}',
    earnedTakenBack: '取り消された獲得ポイント: {points}',
    shortfall: '使用済みの獲得ポイント分を返金から差し引き: {points}',
  },
});

/** "Paid: …" with the points used, if any, in the reader's language. */
export function paidLine(language: string, money: Money, pointsUsed: number): string {
  const m = formatMoney(money, language);
  return pointsUsed
    ? t(language, 'paidWithPoints', { money: m, points: formatCount(pointsUsed, language) })
    : t(language, 'paid', { money: m });
}

/** "Points earned: …" in the reader's language. */
export const earnedLine = (language: string, points: number): string => t(language, 'earned', { points: formatCount(points, language) });

/** S1.9: the confirmation of a pre-order or purchase. */
export function orderConfirmedMail(
  language: string,
  o: { kind: 'preorder' | 'purchase'; title: string; paid: Money; pointsUsed: number; pointsEarned: number; publicUrl: string },
): Pick<Mail, 'subject' | 'text'> {
  return {
    subject: t(language, 'confirmedSubject', { kind: o.kind, title: o.title }),
    text: [
      t(language, 'confirmedBody', { kind: o.kind, title: o.title }),
      '',
      paidLine(language, o.paid, o.pointsUsed),
      earnedLine(language, o.pointsEarned),
      '',
      t(language, 'refundHint', { link: `${o.publicUrl}/purchases` }),
      '',
    ].join('\n'),
  };
}

/** S1.12–S1.14, S2.12, S2.13: a refund done — of an order, or of a gift that was declined, expired or cancelled. */
export function refundedMail(
  language: string,
  r: {
    title: string;
    refunded: Money;
    pointsReturned: number;
    earnedTakenBack: number;
    shortfall?: number;
    gift?: { recipientName: string; outcome: 'declined' | 'expired' | 'cancelled' };
  },
): Pick<Mail, 'subject' | 'text'> {
  const n = (points: number) => ({ points: formatCount(points, language) });
  const gift = r.gift && { name: r.gift.recipientName, outcome: r.gift.outcome, title: r.title };
  return {
    subject: gift ? t(language, 'giftRefundSubject', gift) : t(language, 'refundSubject', { title: r.title }),
    text: [
      gift ? t(language, 'giftRefundBody', gift) : t(language, 'refundBody', { title: r.title }),
      '',
      t(language, 'refunded', { money: formatMoney(r.refunded, language) }),
      t(language, 'pointsReturned', n(r.pointsReturned)),
      t(language, 'earnedTakenBack', n(r.earnedTakenBack)),
      ...(r.shortfall ? [t(language, 'shortfall', n(r.shortfall))] : []),
      '',
    ].join('\n'),
  };
}
