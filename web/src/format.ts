import { COUNTRY_CODES } from '../../src/platform/countries.ts';
export interface Money {
  amountMinor: number;
  currency: string;
}

const digits = (currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Formats integer minor units for the reader's locale: ₩55,000 · ￥6,600 · 49,99 € · $49.99. */
export function formatMoney(m: Money, locale: string): string {
  if (m.amountMinor === 0) return locale.startsWith('ko') ? '무료' : locale.startsWith('ja') ? '無料' : 'Free';
  return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.amountMinor / 10 ** digits(m.currency));
}

export const toMinor = (value: string, currency: string) => Math.round(Number(value) * 10 ** digits(currency));
export const fromMinor = (minor: number, currency: string) => (minor / 10 ** digits(currency)).toFixed(digits(currency));

export function formatDate(iso: string | null, locale: string): string {
  if (!iso) return 'TBA';
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}

export const countryName = (code: string, locale: string) =>
  code === '*' ? 'Rest of world' : (new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code);

const byName = new Map<string, string[]>();
/** Country codes in the order a reader of `locale` looks for them: by their localised name (대한민국 under ㄷ). */
export function countriesByName(locale: string): string[] {
  let sorted = byName.get(locale);
  if (!sorted) {
    const collator = new Intl.Collator(locale);
    sorted = [...COUNTRY_CODES].sort((a, b) => collator.compare(countryName(a, locale), countryName(b, locale)));
    byName.set(locale, sorted);
  }
  return sorted;
}

/** A game's cover, or the store's generated one when it has none (never an empty or broken image). */
export const coverOf = (g: { slug: string; title: string; coverUrl?: string | null }) => g.coverUrl || generatedCover(g);
export const generatedCover = (g: { slug: string; title: string }) =>
  `/covers/${encodeURIComponent(g.slug)}?title=${encodeURIComponent(g.title)}`;
/** onError for cover images: a cover URL that breaks (an external image gone) falls back to the generated one. */
export const coverFallback = (g: { slug: string; title: string }) => (e: { currentTarget: HTMLImageElement }) => {
  const fallback = generatedCover(g);
  if (!e.currentTarget.src.endsWith(fallback)) e.currentTarget.src = fallback;
};
