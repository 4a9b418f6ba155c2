/** Languages the store's content and UI may be written in (BCP 47 primary tags). */
export const LANGUAGES = ['en', 'ko', 'ja', 'zh', 'de', 'fr', 'es', 'pt', 'ru', 'pl', 'it', 'tr', 'th', 'id', 'vi'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(code: string): code is Language {
  return (LANGUAGES as readonly string[]).includes(code);
}

/** Picks the text for a language from a per-language map, falling back to English, then to any text. */
export function pickText(texts: Record<string, string>, language: string, fallback: string): string {
  return texts[language] ?? texts.en ?? texts[fallback] ?? Object.values(texts)[0] ?? '';
}
