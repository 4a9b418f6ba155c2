import { describe, expect, it } from 'vitest';
import { buildTsQuery, tokenize, trigramText, type TokenLookup } from './search-text.ts';

describe('search tokens (R8)', () => {
  it('R8 S1.3 Latin words are lower-cased and split on punctuation', () => {
    expect(tokenize("Tom Clancy's Rainbow Six® Siege")).toEqual(['tom', 'clancy', 's', 'rainbow', 'six', 'siege']);
  });
  it('R8 Korean words become bigrams so particles do not block a match', () => {
    expect(tokenize('게임을')).toEqual(['게임', '임을']);
    expect(tokenize('게임')).toEqual(['게임']);
  });
  it('R8 Japanese without spaces becomes bigrams, mixed with Latin parts', () => {
    expect(tokenize('ファイナルファンタジーXV')).toEqual([
      'ファ',
      'ァイ',
      'イナ',
      'ナル',
      'ルフ',
      'ファ',
      'ァン',
      'ンタ',
      'タジ',
      'ジー',
      'xv',
    ]);
  });
  it('R8 full-width characters fold to their normal form', () => {
    expect(tokenize('ＳＴＥＡＭ　２')).toEqual(['steam', '2']);
  });
  it('R8 the tsquery ANDs tokens and treats the last Latin word as a prefix', () => {
    const known = (...words: string[]) => new Map<string, TokenLookup>(words.map((w) => [w, { known: true, close: [] }]));
    expect(buildTsQuery(['space', 'shoot'], known('space', 'shoot'))).toBe("'space' & 'shoot':*");
    expect(buildTsQuery(tokenize('드래곤'), new Map())).toBe("'드래' & '래곤'");
    expect(buildTsQuery([], new Map())).toBeUndefined();
  });
  it('R8 an unknown word is replaced by the close words of the catalog vocabulary (typos)', () => {
    const lookup = new Map<string, TokenLookup>([
      ['dragn', { known: false, close: ['dragon', 'dragoon'] }],
      ['qest', { known: false, close: ['quest'] }],
    ]);
    expect(buildTsQuery(['dragn', 'qest'], lookup)).toBe("('dragn' | 'dragon' | 'dragoon') & ('qest':* | 'quest')");
  });
  it('R8 a word that matches nothing is dropped instead of emptying the results, unless all words are like that', () => {
    const lookup = new Map<string, TokenLookup>([
      ['witcher', { known: true, close: [] }],
      ['xyzzy', { known: false, close: [] }],
      ['ps4', { known: false, close: [] }],
    ]);
    expect(buildTsQuery(['xyzzy', 'witcher'], lookup)).toBe("'witcher':*");
    expect(buildTsQuery(['xyzzy'], new Map([['xyzzy', { known: false, close: [] }]]))).toBe("'xyzzy':*");
    expect(buildTsQuery(['xyzzy', 'ps4', 'witcher'], lookup)).toBe("'witcher':*");
  });
  it('R8 trigram text drops punctuation', () => {
    expect(trigramText('The Witcher® 3: Wild Hunt')).toBe('the witcher 3 wild hunt');
  });
});
