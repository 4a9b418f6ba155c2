import { valuesIn, type Noun } from '../platform/errors.ts';
import { messages } from '../platform/messages.ts';

/** The region policy's reasons, per language (R12). */
const t = messages({
  en: {
    'ip.block':
      'You are connecting from {here}, but your country of residence is {home}. The publisher allows buying this game only from your country of residence.',
    'ip.warn': 'You are connecting from {here}, but your country of residence is {home}. Prices and availability follow your residence.',
    not_sold_in_country: 'This game is not sold in {home}, your country of residence, because of the publisher’s or local rules.',
    'not_playable_in_country.buy': 'This game may not be played in {home}, so it is not offered there.',
    not_playable_in_recipient_country: 'This game may not be played in {home}, where {recipient} lives, so it cannot be given to them.',
    'not_playable_in_country.use':
      'This game may no longer be {action, select, play {played} other {downloaded}} in {home}, your country of residence, because of the publisher’s contract or local law.',
    not_playable_here: 'This game may not be {action, select, play {played} other {downloaded}} in {here}, where you are connecting from.',
    no_price_in_country: 'This game has no price for your country yet, so it cannot be bought here.',
  },
  ko: {
    'ip.block': '{here}에서 접속하고 있지만 거주 국가는 {home}입니다. 퍼블리셔가 이 게임은 거주 국가에서만 살 수 있도록 정했습니다.',
    'ip.warn': '{here}에서 접속하고 있지만 거주 국가는 {home}입니다. 가격과 판매 여부는 거주 국가를 따릅니다.',
    not_sold_in_country: '퍼블리셔 또는 현지 규정에 따라 이 게임은 거주 국가인 {home}에서 판매되지 않습니다.',
    'not_playable_in_country.buy': '이 게임은 {home}에서 플레이할 수 없어 그곳에서는 판매하지 않습니다.',
    not_playable_in_recipient_country: '이 게임은 {recipient}의 거주 국가인 {home}에서 플레이할 수 없어 선물할 수 없습니다.',
    'not_playable_in_country.use':
      '퍼블리셔 계약 또는 현지 법률에 따라 이 게임은 이제 거주 국가인 {home}에서 {action, select, play {플레이할} other {다운로드할}} 수 없습니다.',
    not_playable_here: '이 게임은 지금 접속한 {here}에서 {action, select, play {플레이할} other {다운로드할}} 수 없습니다.',
    no_price_in_country: '이 게임은 아직 거주 국가의 가격이 없어 여기서 살 수 없습니다.',
  },
  ja: {
    'ip.block':
      '{here}から接続していますが、お住まいの国は{home}です。パブリッシャーはこのゲームをお住まいの国からのみ購入できるようにしています。',
    'ip.warn': '{here}から接続していますが、お住まいの国は{home}です。価格と販売状況はお住まいの国に従います。',
    not_sold_in_country: 'パブリッシャーまたは現地の規則により、このゲームはお住まいの国({home})では販売されていません。',
    'not_playable_in_country.buy': 'このゲームは{home}ではプレイできないため、そこでは販売していません。',
    not_playable_in_recipient_country: 'このゲームは{recipient}が住む{home}ではプレイできないため、贈ることができません。',
    'not_playable_in_country.use':
      'パブリッシャーとの契約または現地の法律により、このゲームはお住まいの国({home})では{action, select, play {プレイ} other {ダウンロード}}できなくなりました。',
    not_playable_here: 'このゲームは接続元の{here}では{action, select, play {プレイ} other {ダウンロード}}できません。',
    no_price_in_country: 'このゲームにはまだお住まいの国の価格がないため、ここでは購入できません。',
  },
});

export type RegionText = Parameters<typeof t>[1];

export const THE_RECIPIENT: Noun = { en: 'the recipient', ko: '받는 분', ja: '受け取る人' };

/** A reason in English (the audit log's language) and in any reader's. */
export function regionText(key: RegionText, values: Record<string, string | Noun>): { message: string; text(language: string): string } {
  return { message: t('en', key, valuesIn(values, 'en')), text: (language) => t(language, key, valuesIn(values, language)) };
}
