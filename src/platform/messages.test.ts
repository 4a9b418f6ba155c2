/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import {
  isArgumentElement,
  isDateElement,
  isNumberElement,
  isPluralElement,
  isSelectElement,
  isTimeElement,
  type MessageFormatElement,
} from '@formatjs/icu-messageformat-parser';
import { messages, registeredCatalogues } from './messages.ts';
import { orderConfirmedMail, refundedMail } from '../orders/mail.ts';
import { giftDeliveredMail, giftPaidMail } from '../gifts/mail.ts';
import { friendRequestMail } from '../friends/mail.ts';
import { failureText } from '../orders/errors.ts';

const t = messages({
  en: { points: '{n, plural, one {# point} other {# points}}', hello: 'Hello {name}' },
  ko: { points: '{n} 포인트', hello: '{name}님, 안녕하세요' },
  ja: { points: '{n}ポイント', hello: 'こんにちは、{name}さん' },
  de: { hello: 'Hallo {name}' },
});

describe('message catalogues (issue 11: mail in the reader’s language)', () => {
  it('R1 plurals and placeholders per language; a region tag reads its language; missing keys and languages fall back to English', () => {
    expect(t('en', 'points', { n: 1 })).toBe('1 point');
    expect(t('en', 'points', { n: 3 })).toBe('3 points');
    expect(t('ko-KR', 'hello', { name: '민지' })).toBe('민지님, 안녕하세요');
    expect(t('de', 'hello', { name: 'Jonas' })).toBe('Hallo Jonas');
    expect(t('de', 'points', { n: 2 })).toBe('2 points');
    expect(t('fr', 'hello', { name: 'Léa' })).toBe('Hello Léa');
  });

  it('R1 S1.9 S1.12 the orders’ mails in English, Korean and Japanese, money and counts as each locale writes them', () => {
    const confirmed = (lang: string) =>
      orderConfirmedMail(lang, {
        kind: 'preorder',
        title: 'Nebula Drift',
        paid: { amountMinor: 52000, currency: 'KRW' },
        pointsUsed: 2000,
        pointsEarned: 2600,
        publicUrl: 'http://store',
      });
    expect(confirmed('en')).toEqual({
      subject: 'Pre-order confirmed: Nebula Drift',
      text: 'Thank you! Your pre-order of Nebula Drift is complete.\n\nPaid: ₩52,000 + 2,000 points\nPoints earned: 2,600\n\nYou can request a refund from your purchase list: http://store/purchases\n',
    });
    expect(confirmed('ko').subject).toBe('예약 구매 완료: Nebula Drift');
    expect(confirmed('ko').text).toContain('결제 금액: ₩52,000 + 2,000 포인트');
    expect(confirmed('ja').subject).toBe('予約購入完了: Nebula Drift');
    expect(confirmed('ja').text).toContain('獲得ポイント: 2,600');
    const giftRefund = (lang: string, outcome: 'declined' | 'expired' | 'cancelled') =>
      refundedMail(lang, {
        title: 'Star Orchard',
        refunded: { amountMinor: 1999, currency: 'USD' },
        pointsReturned: 0,
        earnedTakenBack: 0,
        gift: { recipientName: 'Hana', outcome },
      }).subject;
    expect(giftRefund('en', 'declined')).toBe('Hana declined your gift of Star Orchard: refunded');
    expect(giftRefund('en', 'expired')).toBe('Your gift of Star Orchard was not accepted within 30 days: refunded');
    expect(giftRefund('ko', 'declined')).toBe('Hana님이 Star Orchard 선물을 거절했습니다: 환불 완료');
    expect(giftRefund('ja', 'cancelled')).toBe('Star Orchardのギフトはキャンセルされ、返金されました');
  });

  it('R1 S2.9 S2.10 S2.3 gift and friend mails: dates in the reader’s language and the recipient’s time zone; a message is kept as written', () => {
    const at = new Date('2026-12-25T00:00:00Z');
    const paid = (lang: string) =>
      giftPaidMail(lang, {
        title: 'Star Orchard',
        recipientName: 'Yuki',
        arrivesAt: { at, timeZone: 'Asia/Tokyo' },
        paid: { amountMinor: 1999, currency: 'USD' },
        pointsUsed: 0,
        pointsEarned: 20,
        publicUrl: 'http://store',
      }).text;
    expect(paid('en')).toContain('to arrive on 25 December 2026 at 09:00 (Asia/Tokyo).');
    expect(paid('ja')).toContain('2026年12月25日 9:00 (Asia/Tokyo)に');
    expect(paid('ko')).toMatch(/^감사합니다! Star Orchard 선물은 2026년 12월 25일 .*9:00 \(Asia\/Tokyo\)에 Yuki님에게 전달됩니다\./);
    const delivered = giftDeliveredMail('ko', {
      title: '달의 정원',
      senderName: 'Yuki',
      message: "It's {yours}!",
      link: 'http://store/gifts/1',
      expiresAt: at,
      timeZone: 'Asia/Seoul',
    });
    expect(delivered.subject).toBe('Yuki님이 선물을 보냈습니다: 달의 정원');
    expect(delivered.text).toContain("보낸 분의 메시지:\nIt's {yours}!");
    expect(friendRequestMail('ja', { requesterName: 'Minji', link: 'http://store/friends' }).subject).toBe(
      'Minjiさんからフレンド申請が届きました',
    );
  });
});

describe('every catalogue (mail, errors, region reasons)', () => {
  // Loading them registers their catalogues.
  const loaded = import.meta.glob(['../**/errors.ts', '../**/mail.ts', '../regions/messages.ts'], { eager: true });

  it('R1 every text of every catalogue parses and fills in, in English, Korean and Japanese, with the same placeholders', () => {
    expect(Object.keys(loaded).length).toBeGreaterThan(12);
    const catalogues = registeredCatalogues();
    let texts = 0;
    for (const c of catalogues) {
      for (const key of Object.keys(c.en)) {
        const names = new Map<string, 'plural' | 'text'>();
        const walk = (elements: MessageFormatElement[]) => {
          for (const e of elements) {
            if (isArgumentElement(e) || isNumberElement(e) || isDateElement(e) || isTimeElement(e)) names.set(e.value, 'text');
            if (isPluralElement(e)) names.set(e.value, 'plural');
            if (isSelectElement(e) || isPluralElement(e)) {
              if (isSelectElement(e)) names.set(e.value, 'text');
              for (const o of Object.values(e.options)) walk(o.value);
            }
          }
        };
        const placeholders: Record<string, string[]> = {};
        for (const language of ['en', 'ko', 'ja'] as const) {
          const text = c[language][key]!;
          const format = new IntlMessageFormat(text, language, undefined, { ignoreTag: true });
          names.clear();
          walk(format.getAst());
          placeholders[language] = [...names.keys()].sort();
          const values = Object.fromEntries([...names].map(([n, kind]) => [n, kind === 'plural' ? 2 : `‹${n}›`]));
          const out = String(format.format(values));
          expect(out.length, `${language} ${key}`).toBeGreaterThan(0);
          expect(out, `${language} ${key}`).not.toMatch(/[{}]/);
          texts++;
        }
        expect(placeholders.ko, `ko ${key} uses the placeholders of en`).toEqual(placeholders.en);
        expect(placeholders.ja, `ja ${key} uses the placeholders of en`).toEqual(placeholders.en);
      }
    }
    expect(texts).toBeGreaterThan(300);
  });

  it('R1 no error a user can cause is built from an English sentence outside the catalogues', () => {
    const sources = import.meta.glob(['../**/*.ts', '!../**/*.test.ts', '!./errors.ts'], { query: '?raw', import: 'default', eager: true });
    const raw = Object.entries(sources).flatMap(([file, text]) =>
      [...String(text).matchAll(/new AppError\(([^;]*)/g)].map((m) => `${file}: ${m[1]!.slice(0, 60)}`),
    );
    // These three pass a sentence already in the reader's language, or a localizer with it.
    expect(raw.map((r) => r.split(':')[0])).toEqual(['../catalog/service.ts', '../orders/service.ts', '../regions/gate.ts']);
  });

  it('R1 S1.8 S2.9 every refusal a saga stores on an order or a gift reads in Korean and Japanese (the stored sentence is English)', () => {
    const sources = import.meta.glob(['../**/*.ts', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true });
    const codes = new Set(
      Object.values(sources).flatMap((text) => [...String(text).matchAll(/new Refusal\('([a-z_]+)'/g)].map((m) => m[1]!)),
    );
    expect(codes.size).toBeGreaterThanOrEqual(7);
    const untranslated = [...codes].flatMap((code) =>
      ['ko', 'ja'].filter((language) => failureText(language, code, 'STORED') === 'STORED').map((language) => `${code} (${language})`),
    );
    expect(untranslated).toEqual([]);
  });
});
