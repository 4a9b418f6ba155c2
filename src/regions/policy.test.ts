import { describe, expect, it } from 'vitest';
import { decide, ruleCovers, type GameRegions, type RegionRule } from './policy.ts';

const everywhere: RegionRule = { mode: 'everywhere', countries: [] };

describe('region policy', () => {
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
    const regions: GameRegions = { sale: { mode: 'only', countries: ['KR'] }, play: everywhere };
    expect(decide('buy', regions, 'KR')).toEqual({ allowed: true });
    const refused = decide('buy', regions, 'US');
    expect(refused).toMatchObject({ allowed: false, reason: 'not_sold_in_country' });
    if (!refused.allowed) expect(refused.message).toContain('United States');
  });

  it('R12 a game that may not be played in a country is not sold there either', () => {
    const regions: GameRegions = { sale: everywhere, play: { mode: 'except', countries: ['DE'] } };
    expect(decide('buy', regions, 'DE')).toMatchObject({ allowed: false, reason: 'not_playable_in_country' });
    expect(decide('play', regions, 'DE')).toMatchObject({ allowed: false, reason: 'not_playable_in_country' });
    expect(decide('play', regions, 'FR')).toEqual({ allowed: true });
  });
});
