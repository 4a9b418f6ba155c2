import { describe, expect, it } from 'vitest';
import { censored, hasProfanity } from './profanity.ts';

describe('profanity filter (R14)', () => {
  it('R14 catches leetspeak, repeated letters, full-width letters, Korean and Japanese; leaves innocent words alone', () => {
    const caught = ['fuck you', 'fuuuuuck this', 'you f4ggot', 'ｆｕｃｋ off', 'sh1t happens', '이 씨발 게임', '死ね'];
    for (const s of caught) expect(hasProfanity(s), s).toBe(true);
    const fine = ['class assignment', 'shitake mushrooms', 'Scunthorpe United', 'grape', '안녕하세요', 'こんにちは', 'assess the bass'];
    for (const s of fine) expect(hasProfanity(s), s).toBe(false);
    expect(censored('what the fuck is this')).toBe('what the ♥♥♥♥ is this');
    expect(censored('이 씨발 게임')).toBe('이 ♥♥ 게임');
    expect(censored('gg well played')).toBe('gg well played');
  });
});
