/**
 * Turns text in any language into search tokens, the same way for documents and queries.
 * Latin, Cyrillic etc. split on non-letters. Chinese, Japanese and Korean text is cut into overlapping
 * two-character pieces (the classic CJK bigram approach): Japanese has no spaces and Korean attaches
 * particles to words (게임을), so bigrams match a word inside a longer run without a dictionary.
 */

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_RUN = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]+)/u;

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i < chars.length - 1; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const word of normalize(text).split(/[^\p{L}\p{N}ー]+/u)) {
    if (!word) continue;
    if (!CJK.test(word)) {
      out.push(word);
      continue;
    }
    for (const part of word.split(CJK_RUN)) {
      if (!part) continue;
      if (CJK.test(part)) out.push(...bigrams(part));
      else out.push(part);
    }
  }
  return out;
}

/**
 * A tsquery string for the tokens: all must match; the last Latin word also matches as a prefix so
 * results appear while typing. Tokens hold only letters and digits, so they are safe inside tsquery.
 */
export function toTsQuery(text: string): string | undefined {
  const tokens = tokenize(text);
  if (!tokens.length) return undefined;
  const last = tokens.length - 1;
  return tokens.map((t, i) => (i === last && !CJK.test(t) ? `'${t}':*` : `'${t}'`)).join(' & ');
}

/** Text for trigram (typo-tolerant) matching of titles: normalised, punctuation folded to spaces. */
export function trigramText(text: string): string {
  return normalize(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
