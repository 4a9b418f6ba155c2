import { errorsFrom } from '../platform/errors.ts';

/** What the boards say when a request cannot be done, per language. */
export const communityError = errorsFrom({
  en: {
    'post_empty.thread': 'A thread needs a title and a first post.',
    'post_empty.reply': 'Write something first.',
    thread_locked: 'This thread is locked: it takes no more replies.',
    nothing_to_change: 'Say what to change: pinned, locked or both.',
  },
  ko: {
    'post_empty.thread': '글타래에는 제목과 첫 글이 필요합니다.',
    'post_empty.reply': '먼저 내용을 입력해 주세요.',
    thread_locked: '잠긴 글타래라 더 이상 답글을 달 수 없습니다.',
    nothing_to_change: '무엇을 바꿀지 알려 주세요: 고정, 잠금 또는 둘 다.',
  },
  ja: {
    'post_empty.thread': 'スレッドにはタイトルと最初の投稿が必要です。',
    'post_empty.reply': '先に何か書いてください。',
    thread_locked: 'このスレッドはロックされているため、返信できません。',
    nothing_to_change: '変更内容を指定してください: 固定、ロック、またはその両方。',
  },
});
