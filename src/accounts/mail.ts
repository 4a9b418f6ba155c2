import type { Mail } from '../platform/mail/outbox.ts';
import { messages } from '../platform/messages.ts';

const t = messages({
  en: {
    resetSubject: 'Reset your Game Store password',
    resetBody: 'Hello {name}, someone (hopefully you) asked to reset the password of your Game Store account.',
    resetLink: 'Choose a new password here within {minutes} minutes: {link}',
    resetIgnore: 'If it was not you, ignore this mail: your password stays as it is.',
    changedSubject: 'Your Game Store password was changed',
    changedBody: 'Hello {name}, the password of your Game Store account was just changed.',
    changedNotYou: 'If it was not you, reset it now and turn on two-factor authentication: {link}',
  },
  ko: {
    resetSubject: 'Game Store 비밀번호 재설정',
    resetBody: '{name}님, Game Store 계정의 비밀번호 재설정이 요청되었습니다.',
    resetLink: '{minutes}분 안에 여기에서 새 비밀번호를 정하세요: {link}',
    resetIgnore: '본인이 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다.',
    changedSubject: 'Game Store 비밀번호가 변경되었습니다',
    changedBody: '{name}님, Game Store 계정의 비밀번호가 방금 변경되었습니다.',
    changedNotYou: '본인이 아니라면 지금 재설정하고 2단계 인증을 켜세요: {link}',
  },
  ja: {
    resetSubject: 'Game Storeのパスワードの再設定',
    resetBody: '{name}さん、Game Storeアカウントのパスワードの再設定が依頼されました。',
    resetLink: '{minutes}分以内にこちらで新しいパスワードを設定してください: {link}',
    resetIgnore: 'お心当たりがなければ、このメールは無視してください。パスワードは変わりません。',
    changedSubject: 'Game Storeのパスワードが変更されました',
    changedBody: '{name}さん、Game Storeアカウントのパスワードが変更されました。',
    changedNotYou: 'お心当たりがなければ、今すぐ再設定して二要素認証をオンにしてください: {link}',
  },
});

/** R7: the link that lets a player who forgot their password choose a new one, in their language. */
export function passwordResetMail(language: string, r: { name: string; link: string; minutes: number }): Pick<Mail, 'subject' | 'text'> {
  return {
    subject: t(language, 'resetSubject'),
    text: `${t(language, 'resetBody', { name: r.name })}\n\n${t(language, 'resetLink', { minutes: r.minutes, link: r.link })}\n\n${t(language, 'resetIgnore')}\n`,
  };
}

/** R7: a changed password is announced to the account's address, with the way back if it was not its owner. */
export function passwordChangedMail(language: string, r: { name: string; link: string }): Pick<Mail, 'subject' | 'text'> {
  return {
    subject: t(language, 'changedSubject'),
    text: `${t(language, 'changedBody', { name: r.name })}\n\n${t(language, 'changedNotYou', { link: r.link })}\n`,
  };
}
