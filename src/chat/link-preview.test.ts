import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchPreview, firstLink, isPrivateAddress, parsePreview } from './link-preview.ts';

describe('link previews in chat (R14)', () => {
  it('R14 the server never fetches its own network: loopback, private, link-local (cloud metadata), mapped IPv6 refused; public allowed', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not-an-ip',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.9', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });

  it('R14 the first http(s) link of a message, without trailing punctuation; other schemes are not links', () => {
    expect(firstLink('look: https://example.com/a?b=1, cool!')).toBe('https://example.com/a?b=1');
    expect(firstLink('(see http://example.com/x).')).toBe('http://example.com/x');
    expect(firstLink('javascript:alert(1) ftp://x file:///etc/passwd')).toBeUndefined();
    expect(firstLink('no link here')).toBeUndefined();
  });

  it('R14 a preview is text from Open Graph tags (or the title), entities decoded, clipped; markup stays text', () => {
    const p = parsePreview(
      'https://example.com',
      `<html><head><title>Fallback</title><meta content="Big &amp; bold &#x1F3AE;" property="og:title">
       <meta name="description" content='${'d'.repeat(400)}'><meta property="og:site_name" content="&lt;script&gt;alert(1)&lt;/script&gt;"></head></html>`,
    );
    expect(p).toEqual({
      url: 'https://example.com',
      title: 'Big & bold 🎮',
      description: `${'d'.repeat(299)}…`,
      site: '<script>alert(1)</script>',
    });
    expect(parsePreview('https://e.com', '<title> Just a  title </title>')).toEqual({
      url: 'https://e.com',
      title: 'Just a title',
      description: null,
      site: null,
    });
    expect(parsePreview('https://e.com', '<p>no head</p>')).toBeNull();
  });

  describe('fetching', () => {
    let server: Server;
    let base: string;
    const hits: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits.push(req.url!);
        if (req.url === '/page')
          return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<meta property="og:title" content="A page">');
        if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"title":"no"}');
        if (req.url === '/moved') return res.writeHead(302, { location: '/page' }).end();
        if (req.url?.startsWith('/loop')) return res.writeHead(302, { location: `/loop${hits.length}` }).end();
        if (req.url === '/huge') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.write('<title>Huge</title>');
          // Keeps sending for as long as the reader reads: the reader must stop by itself.
          const chunk = 'x'.repeat(64 * 1024);
          const pump = () => {
            while (res.write(chunk));
          };
          res.on('drain', pump);
          pump();
          return;
        }
        if (req.url === '/slow')
          return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Late</title>'), 5000);
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      server.closeAllConnections();
      server.close();
    });

    it('R14 a link to the server’s own network gets no preview and the address is never contacted (by IP or by a name that resolves there)', async () => {
      hits.length = 0;
      expect(await fetchPreview(`${base}/page`)).toBeNull();
      expect(await fetchPreview(`${base.replace('127.0.0.1', 'localhost')}/page`)).toBeNull();
      expect(await fetchPreview(`${base.replace('http://', 'http://user:pw@')}/page`, { allowPrivate: true })).toBeNull();
      expect(hits).toEqual([]);
    });

    it('R14 where allowed (a closed network): HTML previewed, redirects followed a few times only, other types refused, a huge page cut, a slow one given up', async () => {
      const open = { allowPrivate: true };
      expect(await fetchPreview(`${base}/page`, open)).toMatchObject({ title: 'A page' });
      expect(await fetchPreview(`${base}/moved`, open)).toMatchObject({ url: `${base}/moved`, title: 'A page' });
      expect(await fetchPreview(`${base}/json`, open)).toBeNull();
      hits.length = 0;
      expect(await fetchPreview(`${base}/loop`, open)).toBeNull();
      expect(hits.length).toBe(4); // the first request and 3 redirects
      const t0 = Date.now();
      expect(await fetchPreview(`${base}/huge`, open)).toMatchObject({ title: 'Huge' });
      expect(await fetchPreview(`${base}/slow`, { ...open, timeoutMs: 300 })).toBeNull();
      expect(Date.now() - t0).toBeLessThan(3000);
    });
  });
});
