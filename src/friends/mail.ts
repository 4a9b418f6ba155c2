import type { Mail } from '../platform/mail/outbox.ts';
import { messages } from '../platform/messages.ts';

const t = messages({
  en: {
    subject: '{name} wants to be your friend',
    body: '{name} sent you a friend request on Game Store.',
    answer: 'Accept or decline it here: {link}',
  },
  ko: {
    subject: '{name}님이 친구 요청을 보냈습니다',
    body: '{name}님이 Game Store에서 친구 요청을 보냈습니다.',
    answer: '여기에서 수락하거나 거절할 수 있습니다: {link}',
  },
  ja: {
    subject: '{name}さんからフレンド申請が届きました',
    body: '{name}さんがGame Storeでフレンド申請を送りました。',
    answer: 'こちらから承認または拒否できます: {link}',
  },
});

/** S2.3: to the person asked, in their language. */
export function friendRequestMail(language: string, r: { requesterName: string; link: string }): Pick<Mail, 'subject' | 'text'> {
  const name = { name: r.requesterName };
  return { subject: t(language, 'subject', name), text: `${t(language, 'body', name)}\n\n${t(language, 'answer', { link: r.link })}\n` };
}
