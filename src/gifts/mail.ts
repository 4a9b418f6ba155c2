import type { Mail } from '../platform/mail/outbox.ts';
import { messages } from '../platform/messages.ts';
import type { Money } from '../platform/money.ts';
import { earnedLine, paidLine } from '../orders/mail.ts';

/** The gifts' mails, each in its reader's language (en, ko, ja; others read English). */
const t = messages({
  en: {
    paidSubject: 'Your gift of {title} to {name} is paid',
    paidBody: 'Thank you! {title} is on its way to {name}.',
    paidBodyLater: 'Thank you! {title} is on its way to {name}, to arrive on {when}.',
    paidHint:
      'If they decline it, or do not answer within 30 days, you are refunded automatically. Until it is delivered you can cancel it: {link}',
    deliveredSubject: '{name} sent you a gift: {title}',
    deliveredBody: '{name} sent you {title} as a gift.',
    theirMessage: 'Their message:',
    answer: 'Accept it to add it to your library, or decline it: {link}',
    answerBy: 'If you do not answer by {when}, it goes back to {name}.',
    acceptedSubject: '{name} accepted your gift of {title}',
    acceptedBody: '{name} accepted {title}. It is in their library now.',
  },
  ko: {
    paidSubject: '{name}님에게 보낼 {title} 선물의 결제가 완료되었습니다',
    paidBody: '감사합니다! {title} 선물이 {name}님에게 전달되었습니다.',
    paidBodyLater: '감사합니다! {title} 선물은 {when}에 {name}님에게 전달됩니다.',
    paidHint: '받는 분이 거절하거나 30일 안에 답하지 않으면 자동으로 환불됩니다. 전달되기 전에는 취소할 수 있습니다: {link}',
    deliveredSubject: '{name}님이 선물을 보냈습니다: {title}',
    deliveredBody: '{name}님이 {title}을(를) 선물로 보냈습니다.',
    theirMessage: '보낸 분의 메시지:',
    answer: '수락하면 라이브러리에 추가됩니다. 거절할 수도 있습니다: {link}',
    answerBy: '{when}까지 답하지 않으면 선물은 {name}님에게 돌아갑니다.',
    acceptedSubject: '{name}님이 {title} 선물을 수락했습니다',
    acceptedBody: '{name}님이 {title} 선물을 수락했습니다. 이제 그분의 라이브러리에 있습니다.',
  },
  ja: {
    paidSubject: '{name}さんへの{title}のギフトのお支払いが完了しました',
    paidBody: 'ありがとうございます。{title}を{name}さんにお届けしました。',
    paidBodyLater: 'ありがとうございます。{title}は{when}に{name}さんに届きます。',
    paidHint: '辞退された場合や30日以内に返事がない場合は自動で返金されます。届く前ならキャンセルできます: {link}',
    deliveredSubject: '{name}さんからギフトが届きました: {title}',
    deliveredBody: '{name}さんから{title}がギフトとして届きました。',
    theirMessage: 'メッセージ:',
    answer: '受け取るとライブラリに追加されます。辞退することもできます: {link}',
    answerBy: '{when}までに返事がない場合、ギフトは{name}さんに戻ります。',
    acceptedSubject: '{name}さんが{title}のギフトを受け取りました',
    acceptedBody: '{name}さんが{title}を受け取りました。ライブラリに追加されています。',
  },
});

/** A moment in a time zone, as its reader writes dates ("25 December 2026 at 09:00 (Asia/Tokyo)" in English). */
export function formatIn(at: Date, timeZone: string, language = 'en'): string {
  const locale = language === 'en' ? 'en-GB' : language;
  return `${new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(at)} (${timeZone})`;
}

/** S2.8, S2.9: to the sender, once the gift is paid. `arrivesAt` when it is delivered later, in the recipient's zone. */
export function giftPaidMail(
  language: string,
  g: {
    title: string;
    recipientName: string;
    arrivesAt?: { at: Date; timeZone: string };
    paid: Money;
    pointsUsed: number;
    pointsEarned: number;
    publicUrl: string;
  },
): Pick<Mail, 'subject' | 'text'> {
  const who = { title: g.title, name: g.recipientName };
  return {
    subject: t(language, 'paidSubject', who),
    text: [
      g.arrivesAt
        ? t(language, 'paidBodyLater', { ...who, when: formatIn(g.arrivesAt.at, g.arrivesAt.timeZone, language) })
        : t(language, 'paidBody', who),
      '',
      paidLine(language, g.paid, g.pointsUsed),
      earnedLine(language, g.pointsEarned),
      '',
      t(language, 'paidHint', { link: `${g.publicUrl}/gifts` }),
      '',
    ].join('\n'),
  };
}

/** S2.10: to the recipient, when the gift arrives. */
export function giftDeliveredMail(
  language: string,
  g: { title: string; senderName: string; message: string; link: string; expiresAt: Date; timeZone: string },
): Pick<Mail, 'subject' | 'text'> {
  const who = { title: g.title, name: g.senderName };
  return {
    subject: t(language, 'deliveredSubject', who),
    text: [
      t(language, 'deliveredBody', who),
      ...(g.message ? ['', t(language, 'theirMessage'), g.message] : []),
      '',
      t(language, 'answer', { link: g.link }),
      t(language, 'answerBy', { when: formatIn(g.expiresAt, g.timeZone, language), name: g.senderName }),
      '',
    ].join('\n'),
  };
}

/** S2.11: to the sender, when the recipient accepted. */
export function giftAcceptedMail(language: string, g: { title: string; recipientName: string }): Pick<Mail, 'subject' | 'text'> {
  const who = { title: g.title, name: g.recipientName };
  return { subject: t(language, 'acceptedSubject', who), text: `${t(language, 'acceptedBody', who)}\n` };
}
