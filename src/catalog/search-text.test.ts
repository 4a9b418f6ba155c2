import { describe, expect, it } from 'vitest';
import { tokenize, toTsQuery, trigramText } from './search-text.ts';

describe('search tokens (R8)', () => {
  it('R8 S1.3 Latin words are lower-cased and split on punctuation', () => {
    expect(tokenize("Tom Clancy's Rainbow Six® Siege")).toEqual(['tom', 'clancy', 's', 'rainbow', 'six', 'siege']);
  });
  it('R8 Korean words become bigrams so particles do not block a match', () => {
    expect(tokenize('게임을')).toEqual(['게임', '임을']);
    expect(tokenize('게임')).toEqual(['게임']);
  });
  it('R8 Japanese without spaces becomes bigrams, mixed with Latin parts', () => {
    expect(tokenize('ファイナルファンタジーXV')).toEqual(
      ['ファ', 'ァイ', 'イナ', 'ナル', 'ルフ', 'ファ', 'ァン', 'ンタ', 'タジ', 'ジー', 'xv'],
    );
  });
  it('R8 full-width characters fold to their normal form', () => {
    expect(tokenize('ＳＴＥＡＭ　２')).toEqual(['steam', '2']);
  });
  it('R8 the tsquery ANDs tokens and treats the last Latin word as a prefix', () => {
    expect(toTsQuery('space shoot')).toBe("'space' & 'shoot':*");
    expect(toTsQuery('드래곤')).toBe("'드래' & '래곤'");
    expect(toTsQuery('  --- ')).toBeUndefined();
  });
  it('R8 trigram text drops punctuation', () => {
    expect(trigramText('The Witcher® 3: Wild Hunt')).toBe('the witcher 3 wild hunt');
  });
});
