/**
 * Links in chat messages, one definition for the server (which previews the first) and the web client (which makes
 * them clickable): an http(s) URL runs to the next space, quote or angle bracket.
 */
export const LINK_SOURCE = String.raw`\bhttps?:\/\/[^\s<>"'\x60]+`;

/** A message's text cut into plain runs and links: odd positions are links. */
export const splitLinks = (text: string): string[] => text.split(new RegExp(`(${LINK_SOURCE})`, 'gi'));

/** The first http(s) link in a message, without trailing punctuation, if any (what a preview is made for). */
export function firstLink(text: string): string | undefined {
  const m = new RegExp(LINK_SOURCE, 'i').exec(text);
  if (!m) return undefined;
  const url = m[0].replace(/[),.!?;:]+$/, '');
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
