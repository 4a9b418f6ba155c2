import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { settle } from '../../test/checkout.ts';

let t: TestStore;
let gameId: string;
beforeAll(async () => {
  t = await startTestStore({ durable: true });
  const op = await signInOperator(t);
  const g = await op.post(
    '/api/operator/games',
    gameInput({ slug: 'lighthouse-tales', title: { en: 'Lighthouse Tales', ko: '등대 이야기' } }),
  );
  gameId = g.body.id;
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof signUp>>;
async function befriend(a: User, b: User) {
  expect((await a.client.post('/api/friends/requests', { userId: b.me.id })).status).toBe(201);
  expect((await b.client.post(`/api/friends/requests/${a.me.id}/accept`)).status).toBe(204);
}
const key = () => ({ 'idempotency-key': randomBytes(8).toString('hex') });
/** The feed as `who` sees it, once it holds what `until` wants (the feed is projected from the event log). */
const feedOf = (who: User, until: (items: any[]) => boolean, path = '/api/feed') =>
  vi.waitFor(
    async () => {
      const items = (await who.client.get(path)).body as any[];
      if (!until(items)) throw new Error(`feed: ${JSON.stringify(items)}`);
      return items;
    },
    { timeout: 10_000, interval: 50 },
  );

describe('friends’ activity feed and sharing (R14, R11)', () => {
  it('R14 friends see each other’s purchases and discussion posts, strangers see nothing; "only me" hides an item; a refunded purchase leaves the feed', async () => {
    const ana = await signUp(t, { name: 'Ana' });
    const ben = await signUp(t, { name: 'Ben', language: 'ko' });
    const cy = await signUp(t, { name: 'Cy' });
    await befriend(ana, ben);

    const order = await ana.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, key());
    expect((await settle(ana.client, order.body.id)).status).toBe('paid');
    const thread = await ana.client.post(`/api/games/${gameId}/discussions`, { title: 'Best ending?', body: 'No spoilers please.' });
    expect(thread.status).toBe(201);

    const seen = await feedOf(ben, (items) => items.length === 2);
    expect(seen.map((i) => i.kind).sort()).toEqual(['post', 'purchase']);
    // In the reader's language, with who did it.
    expect(seen[0]).toMatchObject({ actor: { id: ana.me.id, name: 'Ana' }, game: { title: '등대 이야기', slug: 'lighthouse-tales' } });
    expect(seen.every((i) => i.visibility === 'friends' && i.shareUrl === null)).toBe(true);
    expect((await cy.client.get('/api/feed')).body).toEqual([]);
    expect((await new Client(t.url).get('/api/feed')).status).toBe(401);

    // Ana keeps her post to herself; Ben no longer sees it. Ben cannot change Ana's items.
    const post = seen.find((i) => i.kind === 'post')!;
    expect((await ben.client.put(`/api/feed/items/${post.id}/visibility`, { visibility: 'everyone' })).status).toBe(404);
    const hidden = await ana.client.put(`/api/feed/items/${post.id}/visibility`, { visibility: 'private' });
    expect(hidden.body.visibility).toBe('private');
    expect((await ben.client.get('/api/feed')).body.map((i: { kind: string }) => i.kind)).toEqual(['purchase']);
    expect((await ana.client.get('/api/feed/mine')).body).toHaveLength(2);

    // Refunded: the purchase is no longer something Ana did.
    const refund = await ana.client.post(`/api/orders/${order.body.id}/refund`, {});
    expect([200, 202]).toContain(refund.status);
    await settle(ana.client, order.body.id, (s) => s === 'refunded');
    await feedOf(ben, (items) => items.length === 0);
  });

  it('R11 an item its owner shares with everyone has a public page with Open Graph tags (sentence, cover) and a JSON view; other items are not found', async () => {
    const dee = await signUp(t, { name: 'Dee <script>' });
    const order = await dee.client.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, key());
    expect((await settle(dee.client, order.body.id)).status).toBe('paid');
    const [item] = await feedOf(dee, (items) => items.length === 1, '/api/feed/mine');
    const visitor = new Client(t.url);
    expect((await visitor.get(`/api/share/${item.id}`)).status).toBe(404);
    expect((await visitor.get(`/share/${item.id}`)).status).toBe(404);

    const shared = await dee.client.put(`/api/feed/items/${item.id}/visibility`, { visibility: 'everyone' });
    expect(shared.body.shareUrl).toBe(`${t.url}/share/${item.id}`);
    const json = await visitor.get(`/api/share/${item.id}`);
    expect(json.body).toMatchObject({ kind: 'purchase', game: { title: 'Lighthouse Tales' } });
    const page = await fetch(`${t.url}/share/${item.id}`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<meta property="og:title" content="Dee &#60;script&#62; bought Lighthouse Tales">');
    expect(html).toContain(`<meta property="og:image" content="${t.url}/share/${item.id}/image.png">`);
    // The picture networks show: a 1200×630 PNG.
    const image = await fetch(`${t.url}/share/${item.id}/image.png`);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await image.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).toContain(`href="${t.url}/games/lighthouse-tales"`);
    expect(html).not.toContain('<script>');

    await dee.client.put(`/api/feed/items/${item.id}/visibility`, { visibility: 'friends' });
    expect((await visitor.get(`/api/share/${item.id}`)).status).toBe(404);
    expect((await fetch(`${t.url}/share/${item.id}/image.png`)).status).toBe(404);
    expect((await visitor.get('/api/share/not-a-uuid')).status).toBe(404);
  });
});
