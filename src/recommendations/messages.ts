/**
 * The new-release mail's texts, per language (en, ko, ja; anything else falls back to English). `{name}` style
 * placeholders are filled by `fill`.
 */
const catalogue = {
  en: {
    subject: 'New for you: {title}',
    greeting: 'Hello {name},',
    intro: 'A new game you may like is now in the store.',
    releases: 'Release date: {date}',
    released: 'Out now',
    price: 'Price: {price}',
    reserve: 'Pre-order it: {link}',
    buy: 'See it in the store: {link}',
    why: 'You get this mail because you play games like it.',
    unsubscribe: 'No more new-release mails: {link}',
  },
  ko: {
    subject: '새 게임 소식: {title}',
    greeting: '{name}님, 안녕하세요.',
    intro: '좋아하실 만한 새 게임이 스토어에 등록되었습니다.',
    releases: '출시일: {date}',
    released: '지금 출시됨',
    price: '가격: {price}',
    reserve: '예약 구매하기: {link}',
    buy: '스토어에서 보기: {link}',
    why: '비슷한 게임을 즐기셔서 이 메일을 보내 드립니다.',
    unsubscribe: '신작 알림 메일 수신 거부: {link}',
  },
  ja: {
    subject: '新作のお知らせ：{title}',
    greeting: '{name} 様',
    intro: 'お好みに合いそうな新作がストアに登場しました。',
    releases: '発売日：{date}',
    released: '発売中',
    price: '価格：{price}',
    reserve: '予約する：{link}',
    buy: 'ストアで見る：{link}',
    why: '似たゲームを遊んでいる方にお送りしています。',
    unsubscribe: '新作メールの配信停止：{link}',
  },
} as const;

export type ReleaseMailText = keyof (typeof catalogue)['en'];

export function releaseMessages(language: string): Record<ReleaseMailText, string> {
  return language in catalogue ? catalogue[language as keyof typeof catalogue] : catalogue.en;
}

export const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
