import { createHash } from 'node:crypto';
import sharp from 'sharp';

/**
 * R11: the picture a shared link shows on a social network (Open Graph / Twitter card, 1200×630 PNG): what happened
 * in large type over the game's colours. Drawn as SVG and rasterised by sharp (libvips + librsvg: ~0.1 s, and it
 * finds the system's Noto CJK fonts for Korean and Japanese titles); networks do not accept SVG images.
 */
const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const WIDE = /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;
/** Width in half-em units: CJK and full-width characters take two, others one. */
const measure = (s: string) => [...s].reduce((n, c) => n + (WIDE.test(c) ? 2 : 1), 0);

/**
 * Up to `max` lines of at most `width` units: breaks at spaces; a word wider than a line (Japanese has no spaces)
 * is broken between characters; the last line ends with … when text is left.
 */
function wrap(text: string, width: number, max: number): string[] {
  // Each piece with what joins it to the previous one: a space between words, nothing inside a broken word.
  const tokens = text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((w) => (measure(w) > width ? [...w].map((c, i) => ({ w: c, glue: i ? '' : ' ' })) : [{ w, glue: ' ' }]));
  const out: string[] = [];
  let line = '';
  for (const { w, glue } of tokens) {
    const next = line ? line + glue + w : w;
    if (measure(next) > width && line) {
      out.push(line);
      line = w;
    } else line = next;
  }
  if (line) out.push(line);
  if (out.length <= max) return out;
  let last = out[max - 1]!;
  while (measure(`${last}…`) > width) last = [...last].slice(0, -1).join('');
  return [...out.slice(0, max - 1), `${last}…`];
}

export function shareCardSvg(seed: string, sentence: string, footer: string): string {
  const h = createHash('sha256').update(seed).digest();
  const hue = (h[0]! * 360) / 256;
  const hue2 = (hue + 40 + (h[1]! % 80)) % 360;
  const text = wrap(sentence, 28, 3)
    .map((l, i) => `<text x="80" y="${250 + i * 84}">${esc(l)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue.toFixed(0)},65%,40%)"/><stop offset="1" stop-color="hsl(${hue2.toFixed(0)},70%,16%)"/></linearGradient></defs>
<rect width="1200" height="630" fill="url(#g)"/>
<g font-family="'Noto Sans CJK KR', 'Noto Sans CJK JP', 'Noto Sans', sans-serif" fill="#fff">
<g font-size="68" font-weight="700">${text}</g>
<text x="80" y="560" font-size="34" opacity="0.85">${esc(footer)}</text>
</g></svg>`;
}

export function shareCardPng(seed: string, sentence: string, footer: string): Promise<Buffer> {
  return sharp(Buffer.from(shareCardSvg(seed, sentence, footer)))
    .png()
    .toBuffer();
}
