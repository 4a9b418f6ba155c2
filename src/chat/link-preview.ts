import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/** What a chat message shows under a link: text only, read from the page's Open Graph tags or title. */
export interface LinkPreview {
  url: string;
  title: string;
  description: string | null;
  site: string | null;
}

export { firstLink } from './links.ts';

/**
 * Addresses a preview must never fetch: the store's own network (loopback, private ranges, link-local — the cloud
 * metadata service at 169.254.169.254 — carrier-grade NAT, multicast, unspecified), in IPv4 and IPv6. A link in a
 * chat message is chosen by a user; fetching it from the server must not become a way into the server's network.
 */
const privateRanges = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  privateRanges.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  privateRanges.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateRanges.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
  return privateRanges.check(address, 'ipv6');
}

const MAX_BYTES = 256 * 1024;
const MAX_REDIRECTS = 3;

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(/&([a-z]+);/gi, (all, n: string) => entities[n.toLowerCase()] ?? all)
    .replace(/\s+/g, ' ')
    .trim();
const clip = (s: string | undefined, n: number) => (s ? (s.length > n ? `${s.slice(0, n - 1)}…` : s) : undefined);

/** Reads og:title / og:description / og:site_name (or <title> and the description meta) from a page's HTML. */
export function parsePreview(url: string, html: string): LinkPreview | null {
  const head = html.slice(0, MAX_BYTES);
  const meta = (name: string) => {
    for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
      const key = /\b(?:property|name)\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
      if (key?.toLowerCase() !== name) continue;
      const content = /\bcontent\s*=\s*"([^"]*)"|\bcontent\s*=\s*'([^']*)'/i.exec(tag);
      const value = content?.[1] ?? content?.[2];
      if (value) return decode(value);
    }
    return undefined;
  };
  const title = meta('og:title') ?? meta('twitter:title') ?? decode(/<title[^>]*>([^<]*)<\/title>/i.exec(head)?.[1] ?? '');
  if (!title) return null;
  return {
    url,
    title: clip(title, 200)!,
    description: clip(meta('og:description') ?? meta('description'), 300) ?? null,
    site: clip(meta('og:site_name'), 80) ?? null,
  };
}

/**
 * Fetches a page for its preview, guarded: http(s) only; every address the name resolves to is checked and the
 * connection goes to the checked address (a second DNS answer cannot swap in a private one); redirects are
 * followed at most 3 times, each checked again; HTML only, at most 256 KB, 3 s in all; no cookies, no credentials
 * in URLs. `allowPrivate` is for tests and closed networks only (LINK_PREVIEW_PRIVATE_HOSTS).
 */
export async function fetchPreview(url: string, opts: { timeoutMs?: number; allowPrivate?: boolean } = {}): Promise<LinkPreview | null> {
  const deadline = Date.now() + (opts.timeoutMs ?? 3000);
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if ((current.protocol !== 'http:' && current.protocol !== 'https:') || current.username || current.password) return null;
    const answer = await get(current, deadline, opts.allowPrivate ?? false);
    if (!answer) return null;
    if ('location' in answer) {
      current = new URL(answer.location, current);
      continue;
    }
    return parsePreview(url, answer.html);
  }
  return null;
}

function get(url: URL, deadline: number, allowPrivate: boolean): Promise<{ html: string } | { location: string } | null> {
  return new Promise((resolve) => {
    const left = deadline - Date.now();
    if (left <= 0) return resolve(null);
    // The only address lookup the connection uses: a private answer fails it, so nothing is ever sent there.
    const lookup = (
      host: string,
      options: { all?: boolean },
      cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ) =>
      dnsLookup(host, { all: true }, (err, addresses) => {
        if (err) return cb(err, '', 0);
        const bad = addresses.find((a) => isPrivateAddress(a.address));
        if (!addresses.length || (bad && !allowPrivate)) {
          return cb(Object.assign(new Error(`refused address for ${host}`), { code: 'EPRIVATE' }), '', 0);
        }
        if (options.all) cb(null, addresses);
        else cb(null, addresses[0]!.address, addresses[0]!.family);
      });
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && isPrivateAddress(literal) && !allowPrivate) return resolve(null);
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'GET',
        lookup,
        headers: { accept: 'text/html', 'user-agent': 'GameStoreLinkPreview/1.0', 'accept-encoding': 'identity' },
        timeout: left,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ location: res.headers.location });
        }
        if (status !== 200 || !/^text\/html\b/i.test(String(res.headers['content-type'] ?? ''))) {
          res.resume();
          return resolve(null);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          chunks.push(c);
          // Enough for the <head>: stop reading.
          if (size >= MAX_BYTES) res.destroy();
        });
        const done = () => resolve({ html: Buffer.concat(chunks).toString('utf8') });
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => resolve(null));
      },
    );
    const timer = setTimeout(() => req.destroy(), left);
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}
