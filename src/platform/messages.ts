import { IntlMessageFormat } from 'intl-messageformat';

/**
 * Message catalogues for what the store says to people (mail now; server messages next), in ICU MessageFormat
 * through FormatJS's `intl-messageformat`: placeholders `{name}`, plurals `{n, plural, one {# point} other {# points}}`,
 * selects `{kind, select, preorder {…} other {…}}`. English, Korean and Japanese are complete (checked by the type);
 * another language may give some keys and falls back to English for the rest, and so does a language without texts.
 */
export type Catalogue<K extends string> = Record<'en' | 'ko' | 'ja', Record<K, string>> &
  Partial<Record<string, Partial<Record<K, string>>>>;

export type Values = Record<string, string | number>;

export interface Messages<K extends string> {
  /** The message `key` in `language` (its primary tag: "ko-KR" reads "ko"), with `values` filled in. */
  (language: string, key: K, values?: Values): string;
  /** The languages this catalogue has texts in. */
  readonly languages: string[];
  readonly catalogue: Catalogue<K>;
}

const registered: Catalogue<string>[] = [];
/** Every catalogue built so far (a test reads them all: each text parses and fills in every language). */
export const registeredCatalogues = (): readonly Catalogue<string>[] => registered;

export function messages<K extends string>(catalogue: Catalogue<K>): Messages<K> {
  registered.push(catalogue);
  const compiled = new Map<string, IntlMessageFormat>();
  const t = (language: string, key: K, values: Values = {}): string => {
    const lang = language.split('-')[0]!.toLowerCase();
    const own = catalogue[lang]?.[key];
    const [locale, text] = own === undefined ? ['en', catalogue.en[key]] : [lang, own];
    const id = `${locale}\u0000${key}`;
    let format = compiled.get(id);
    if (!format) {
      format = new IntlMessageFormat(text, locale, undefined, { ignoreTag: true });
      compiled.set(id, format);
    }
    return String(format.format(values));
  };
  return Object.assign(t, { languages: Object.keys(catalogue), catalogue });
}
