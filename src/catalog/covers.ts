import { createHash } from 'node:crypto';

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Splits a title into at most three lines of roughly `width` characters. */
function lines(title: string, width = 16): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of title.split(/\s+/)) {
    if ((line + ' ' + word).trim().length > width && line) {
      out.push(line);
      line = word;
    } else line = (line + ' ' + word).trim();
  }
  if (line) out.push(line);
  return out.length > 3
    ? [
        ...out.slice(0, 2),
        out
          .slice(2)
          .join(' ')
          .slice(0, width - 1) + '…',
      ]
    : out;
}

/**
 * A generated cover (600×900 SVG) for games without artwork: the demo catalog uses it, since the
 * machines it runs on have no internet to fetch real cover images from.
 */
export function coverSvg(seed: string, title: string): string {
  const h = createHash('sha256').update(seed).digest();
  const hue = (h[0]! * 360) / 256;
  const hue2 = (hue + 40 + (h[1]! % 80)) % 360;
  const shapes = Array.from({ length: 6 }, (_, i) => {
    const x = (h[2 + i]! / 255) * 600;
    const y = (h[8 + i]! / 255) * 900;
    const r = 40 + (h[14 + i]! / 255) * 160;
    return `<circle cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" r="${r.toFixed(0)}" fill="#fff" opacity="${(0.04 + (h[20 + i]! / 255) * 0.1).toFixed(2)}"/>`;
  }).join('');
  const text = lines(title)
    .map((l, i, all) => `<text x="300" y="${690 - (all.length - 1 - i) * 62}" text-anchor="middle">${escapeXml(l)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="900" viewBox="0 0 600 900">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue.toFixed(0)},65%,42%)"/><stop offset="1" stop-color="hsl(${hue2.toFixed(0)},70%,18%)"/></linearGradient></defs>
<rect width="600" height="900" fill="url(#g)"/>${shapes}
<rect y="560" width="600" height="340" fill="#000" opacity="0.35"/>
<g font-family="system-ui, 'Noto Sans CJK KR', 'Noto Sans JP', sans-serif" font-size="52" font-weight="700" fill="#fff">${text}</g>
</svg>`;
}
