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

export const isCjk = (token: string): boolean => CJK.test(token);

/** Words worth a spelling correction: Latin-script words of three letters or more (trigrams need them). */
export const correctable = (token: string): boolean => token.length >= 3 && !CJK.test(token) && !/^\d+$/.test(token);

/** What the catalog's vocabulary says about one query token. */
export interface TokenLookup {
  known: boolean;
  /** Vocabulary words close to an unknown token, best first (typo tolerance). */
  close: string[];
}

/**
 * A tsquery for the query tokens: every token must match (AND). A token the catalog has never seen is
 * replaced by its close vocabulary words ("dragn" → dragon | dragoon); the last Latin token also matches
 * as a prefix, so results appear while typing. A token that matches nothing at all is dropped rather than
 * emptying the result, unless every token is such. Tokens hold only letters and digits, so they are safe
 * inside tsquery quotes.
 */
export function buildTsQuery(tokens: string[], lookup: Map<string, TokenLookup>): string | undefined {
  const terms = buildQuery(tokens, lookup);
  return terms ? toTsQuery(terms) : undefined;
}

/**
 * One query word as matched: any of `words` exactly, or (the last Latin word) any word starting with `prefix`.
 * A document matches a query when it matches every term.
 */
export interface QueryTerm {
  words: string[];
  prefix?: string;
}

/** The terms `buildTsQuery` writes as a tsquery, for the in-memory index (see search-index.ts). */
export function buildQuery(tokens: string[], lookup: Map<string, TokenLookup>): QueryTerm[] | undefined {
  const last = tokens.length - 1;
  const parts = tokens.map((t, i) => {
    const info = lookup.get(t);
    const prefix = i === last && !isCjk(t);
    const alternatives = info && !info.known ? info.close : [];
    const term: QueryTerm = prefix ? { words: alternatives, prefix: t } : { words: [t, ...alternatives] };
    const hopeless = info !== undefined && !info.known && !prefix && alternatives.length === 0;
    return { term, hopeless };
  });
  const useful = parts.filter((p) => !p.hopeless);
  const chosen = useful.length ? useful : parts;
  return chosen.length ? chosen.map((p) => p.term) : undefined;
}

export function toTsQuery(terms: QueryTerm[]): string {
  return terms
    .map((t) => {
      const parts = [...(t.prefix !== undefined ? [`'${t.prefix}':*`] : []), ...t.words.map((w) => `'${w}'`)];
      return parts.length > 1 ? `(${parts.join(' | ')})` : parts[0]!;
    })
    .join(' & ');
}

/** The first index of a sorted list whose entry is not below `key` (where the entries starting with a prefix begin). */
export function firstAtLeast(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Text for trigram (typo-tolerant) matching of titles: normalised, punctuation folded to spaces. */
export function trigramText(text: string): string {
  return normalize(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
