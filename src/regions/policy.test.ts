import { describe, expect, it } from 'vitest';
import { decide, ruleCovers, type GameRegions, type IpMismatchPolicy, type RegionAction, type RegionRule } from './policy.ts';

const everywhere: RegionRule = { mode: 'everywhere', countries: [] };
const game = (sale: RegionRule, play: RegionRule, ipMismatch: IpMismatchPolicy = 'warn'): GameRegions => ({ sale, play, ipMismatch });

describe('region policy (R12)', () => {
  it.each([
    ['everywhere', [], 'KR', true],
    ['only', ['KR', 'JP'], 'KR', true],
    ['only', ['KR', 'JP'], 'US', false],
    ['except', ['CN'], 'CN', false],
    ['except', ['CN'], 'DE', true],
  ] as const)('R12 rule %s %j covers %s → %s', (mode, countries, country, expected) => {
    expect(ruleCovers({ mode, countries: [...countries] }, country)).toBe(expected);
  });

  it('R12 S1.4 a game not sold in the residence country is refused for purchase with a reason code', () => {
    const regions = game({ mode: 'only', countries: ['KR'] }, everywhere);
    expect(decide('buy', regions, { residence: 'KR' })).toEqual({ allowed: true });
    const refused = decide('buy', regions, { residence: 'US' });
    expect(refused).toMatchObject({ allowed: false, reason: 'not_sold_in_country' });
    if (!refused.allowed) expect(refused.message).toContain('United States');
  });

  it('R12 R1 a reason reads in the reader’s language, country names included; a gift names its recipient', () => {
    const refused = decide('buy', game({ mode: 'only', countries: ['KR'] }, everywhere), { residence: 'US' });
    if (refused.allowed) throw new Error('expected a refusal');
    expect(refused.text('ko')).toBe('퍼블리셔 또는 현지 규정에 따라 이 게임은 거주 국가인 미국에서 판매되지 않습니다.');
    expect(refused.text('ja')).toBe(
      'パブリッシャーまたは現地の規則により、このゲームはお住まいの国(アメリカ合衆国)では販売されていません。',
    );
    expect(refused.text('de')).toBe(refused.message);
    const gift = decide('receive', game(everywhere, { mode: 'except', countries: ['DE'] }), { residence: 'DE', recipientName: 'Jonas' });
    if (gift.allowed) throw new Error('expected a refusal');
    expect(gift.message).toBe('This game may not be played in Germany, where Jonas lives, so it cannot be given to them.');
    expect(gift.text('ko')).toBe('이 게임은 Jonas의 거주 국가인 독일에서 플레이할 수 없어 선물할 수 없습니다.');
  });

  // Sold in KR/JP/US; playable everywhere except DE (say, by law). Residence × IP country × game setting × action.
  const regions = (ip: IpMismatchPolicy) =>
    game({ mode: 'only', countries: ['KR', 'JP', 'US'] }, { mode: 'except', countries: ['DE'] }, ip);
  const table: [RegionAction, string, string | undefined, IpMismatchPolicy, string][] = [
    // buy: residence decides; the IP country only per the game's setting
    ['buy', 'KR', undefined, 'block', 'allowed'],
    ['buy', 'KR', 'KR', 'block', 'allowed'],
    ['buy', 'KR', 'JP', 'allow', 'allowed'],
    ['buy', 'KR', 'JP', 'warn', 'warned:ip_country_mismatch'],
    ['buy', 'KR', 'JP', 'block', 'refused:ip_country_mismatch'],
    ['buy', 'FR', 'KR', 'allow', 'refused:not_sold_in_country'], // a VPN into a sale country does not make it sold to you
    ['buy', 'DE', undefined, 'allow', 'refused:not_sold_in_country'],
    // gift: the sender's residence must be a sale country; play there is not needed
    ['gift', 'US', undefined, 'warn', 'allowed'],
    ['gift', 'US', 'DE', 'warn', 'warned:ip_country_mismatch'],
    ['gift', 'US', 'DE', 'block', 'refused:ip_country_mismatch'],
    ['gift', 'FR', 'FR', 'allow', 'refused:not_sold_in_country'],
    // receive: the recipient's residence must allow play (it may be outside the sale countries)
    ['receive', 'FR', undefined, 'block', 'allowed'],
    ['receive', 'DE', undefined, 'allow', 'refused:not_playable_in_recipient_country'],
    // download / play: residence, and where the request comes from
    ['download', 'KR', 'KR', 'block', 'allowed'],
    ['download', 'FR', undefined, 'block', 'allowed'], // owned, moved to a country where it is not sold but playable
    ['download', 'DE', undefined, 'allow', 'refused:not_playable_in_country'],
    ['download', 'KR', 'DE', 'allow', 'refused:not_playable_here'],
    ['play', 'KR', 'JP', 'block', 'allowed'], // travelling is fine where the game may be played
    ['play', 'KR', 'DE', 'allow', 'refused:not_playable_here'],
    ['play', 'DE', 'KR', 'allow', 'refused:not_playable_in_country'],
  ];
  it.each(table)(
    'R12 %s by a resident of %s connecting from %s (game: %s on IP mismatch) → %s',
    (action, residence, ipCountry, ip, expected) => {
      const d = decide(action, regions(ip), { residence, ipCountry });
      const got = !d.allowed ? `refused:${d.reason}` : d.warning ? `warned:${d.warning.reason}` : 'allowed';
      expect(got).toBe(expected);
      if (!d.allowed) expect(d.message.length).toBeGreaterThan(20);
    },
  );

  it('R12 a game that may not be played in a country is not sold there either', () => {
    const regions = game(everywhere, { mode: 'except', countries: ['DE'] });
    expect(decide('buy', regions, { residence: 'DE' })).toMatchObject({ allowed: false, reason: 'not_playable_in_country' });
    expect(decide('play', regions, { residence: 'DE' })).toMatchObject({ allowed: false, reason: 'not_playable_in_country' });
    expect(decide('play', regions, { residence: 'FR' })).toEqual({ allowed: true });
  });
});
