import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from './harness.ts';
import { secondNode, type StoreProcess } from './store-process.ts';
import { freePort } from './ports.ts';
import { instantToZoned } from '../src/platform/zoned-time.ts';

/**
 * Issue 15: game pages and signed-in viewers are answered from each node's memory, and every change — through the
 * API, an import, or by hand in the database — reaches every node's next answer (triggers NOTIFY at commit).
 */
const NOW = '2026-12-10T03:00:00Z';
let a: TestStore;
/** The other node: a second store process on the same database. */
let b: StoreProcess;
let bUrl: string;
let op: Client;
let pool: pg.Pool;

const priced = (amountMinor: number) => [
  { code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor }] },
];
/** The same browser (its cookies) talking to another node. */
const on = (url: string, c: Client) => {
  const other = new Client(url);
  for (const [k, v] of c.cookies) other.cookies.set(k, v);
  return other;
};
/** A GET that must be answered within `ms`: a page served from memory does not wait for a locked table. */
const quickly = async (url: string, ms = 1500) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
  return { status: res.status, body: (await res.json()) as { price: { amountMinor: number } }, etag: res.headers.get('etag') };
};

/** Runs `check` while `tables` are locked against any reader (ACCESS EXCLUSIVE in a transaction rolled back after). */
async function whileLocked(tables: string, check: () => Promise<void>): Promise<void> {
  const locker = await pool.connect();
  try {
    await locker.query('begin');
    await locker.query(`lock table ${tables} in access exclusive mode`);
    await check();
  } finally {
    await locker.query('rollback');
    locker.release();
  }
}

beforeAll(async () => {
  a = await startTestStore({ now: NOW, durable: true });
  const port = await freePort();
  bUrl = `http://127.0.0.1:${port}`;
  b = secondNode(a, port, { STORE_CLOCK: NOW });
  await b.start();
  op = await signInOperator(a);
  pool = new pg.Pool({ connectionString: a.databaseUrl, max: 4 });
});
afterAll(async () => {
  await pool?.end();
  await b?.kill();
  await a?.close();
});

describe('game pages from memory, honest on every node (issue 15: R6, S1.3, S1.1)', () => {
  it('S1.3 S1.1 pages are served from memory while the games table is locked; an edited price is on the next page of every node', async () => {
    const created = await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01', editions: priced(2000) }));
    expect(created.status).toBe(201);
    const { slug, id } = created.body;
    for (const url of [a.url, bUrl]) expect((await quickly(`${url}/api/games/${slug}`)).body.price.amountMinor).toBe(2000);

    // Nothing can read the games table now: both nodes still answer, from memory.
    await whileLocked('games', async () => {
      for (const url of [a.url, bUrl]) {
        const page = await quickly(`${url}/api/games/${slug}`);
        expect(page.status).toBe(200);
        expect(page.body.price.amountMinor).toBe(2000);
      }
    });

    const edited = await op.put(`/api/operator/games/${id}`, gameInput({ slug, releaseDate: '2026-10-01', editions: priced(1500) }), {
      'if-match': created.headers.get('etag')!,
    });
    expect(edited.status).toBe(200);
    // The node that saved shows it at once; the other as soon as the notification arrives.
    expect((await quickly(`${a.url}/api/games/${slug}`)).body.price.amountMinor).toBe(1500);
    await vi.waitFor(async () => expect((await quickly(`${bUrl}/api/games/${slug}`)).body.price.amountMinor).toBe(1500), {
      timeout: 2000,
      interval: 20,
    });
  });

  it('S1.1 a price written straight into the database (a script, psql) reaches every node within 2 s', async () => {
    const created = await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01', editions: priced(3000) }));
    const { slug, id } = created.body;
    for (const url of [a.url, bUrl]) expect((await quickly(`${url}/api/games/${slug}`)).body.price.amountMinor).toBe(3000);
    await pool.query(`update game_prices set amount_minor = 2500 where game_id = $1`, [id]);
    await vi.waitFor(
      async () => {
        for (const url of [a.url, bUrl]) expect((await quickly(`${url}/api/games/${slug}`)).body.price.amountMinor).toBe(2500);
      },
      { timeout: 2000, interval: 20 },
    );
  });

  it('R8 S1.1 game cards (a wishlist, recommendations) come from memory and follow a price written straight into the database, and a game taken off sale, on every node', async () => {
    const created = await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01', editions: priced(3300) }));
    const { slug, id } = created.body;
    const { client } = await signUp(a, { country: 'US' });
    expect((await client.put(`/api/wishlist/${id}`)).status).toBeLessThan(300);
    const card = async (url: string) => {
      const list = (await on(url, client).get('/api/wishlist')).body as {
        gameId: string;
        game: { price: { amountMinor: number } } | null;
      }[];
      return list.find((w) => w.gameId === id)?.game ?? null;
    };
    for (const url of [a.url, bUrl]) expect((await card(url))?.price.amountMinor).toBe(3300);
    // Nothing can read the games table now: the cards still come, from memory, within 1.5 s.
    await whileLocked('games', async () => {
      for (const url of [a.url, bUrl]) {
        const res = await fetch(`${url}/api/wishlist`, {
          headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
          signal: AbortSignal.timeout(1500),
        });
        const list = (await res.json()) as { gameId: string; game: { price: { amountMinor: number } } | null }[];
        expect(list.find((w) => w.gameId === id)?.game?.price.amountMinor).toBe(3300);
      }
    });
    await pool.query(`update game_prices set amount_minor = 2700 where game_id = $1`, [id]);
    await vi.waitFor(
      async () => {
        for (const url of [a.url, bUrl]) expect((await card(url))?.price.amountMinor).toBe(2700);
      },
      { timeout: 2000, interval: 20 },
    );
    // Unpublished: the card is gone from the wishlist on both nodes (the entry stays, without a game to show).
    await pool.query(`update games set status = 'draft' where id = $1`, [id]);
    await vi.waitFor(
      async () => {
        for (const url of [a.url, bUrl]) expect(await card(url)).toBeNull();
      },
      { timeout: 2000, interval: 20 },
    );
    expect(slug).toBeTruthy();
  });

  it("S1.5 S1.1 checkout's quote comes from memory (answered while the games table is locked) and follows a price written straight into the database, on every node", async () => {
    const created = await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01', editions: priced(5100) }));
    const { id } = created.body;
    const quote = async (url: string) => (await quickly(`${url}/api/games/${id}/quote`)).body.price.amountMinor;
    for (const url of [a.url, bUrl]) expect(await quote(url)).toBe(5100);
    await whileLocked('games, game_editions, game_prices', async () => {
      for (const url of [a.url, bUrl]) expect(await quote(url)).toBe(5100);
    });
    await pool.query(`update game_prices set amount_minor = 4700 where game_id = $1`, [id]);
    await vi.waitFor(
      async () => {
        for (const url of [a.url, bUrl]) expect(await quote(url)).toBe(4700);
      },
      { timeout: 2000, interval: 20 },
    );
  });

  it('R8 S1.3 a search answered from memory finds a game registered a moment later, on every node', async () => {
    const word = `zanzibar${Date.now().toString(36)}`;
    const search = (url: string) => quickly(`${url}/api/games?q=${word}`) as unknown as Promise<{ body: { total: number } }>;
    for (const url of [a.url, bUrl]) {
      expect((await search(url)).body.total).toBe(0);
      expect((await search(url)).body.total).toBe(0);
    }
    const created = await op.post('/api/operator/games', gameInput({ title: { en: `${word} Nights` }, releaseDate: '2026-10-01' }));
    expect(created.status).toBe(201);
    expect((await search(a.url)).body.total).toBe(1);
    await vi.waitFor(async () => expect((await search(bUrl)).body.total).toBe(1), { timeout: 2000, interval: 20 });
  });

  it("R8 S1.3 a word search is answered from each node's index, cards and prices included: it needs no table while they are locked", async () => {
    const word = `wombat${Date.now().toString(36)}`;
    const created = await op.post(
      '/api/operator/games',
      gameInput({ title: { en: `${word} Harbor` }, releaseDate: '2026-10-01', editions: priced(4200) }),
    );
    expect(created.status).toBe(201);
    let asked = 0;
    for (const url of [a.url, bUrl]) {
      // Until the node has built its index and read its market's prices (in the background, after the first search),
      // a search reads tables, waits for the lock and times out; then it is answered from memory at once.
      await vi.waitFor(
        async () => {
          await whileLocked('games, game_editions, game_prices, search_words', async () => {
            // A page size not asked before: never an answer kept from an earlier search.
            const res = await fetch(`${url}/api/games?q=${word}&pageSize=${1 + (asked++ % 100)}`, { signal: AbortSignal.timeout(400) });
            const body = (await res.json()) as { total: number; items: { title: string; price: { amountMinor: number } }[] };
            expect(body.total).toBe(1);
            expect(body.items[0]).toMatchObject({ title: `${word} Harbor`, price: { amountMinor: 4200 } });
          });
        },
        { timeout: 15_000, interval: 50 },
      );
    }
  });

  it('R8 type-ahead on every node lists a game registered a moment later; the slug "suggest" is the store\'s own', async () => {
    const word = `quokka${Date.now().toString(36)}`;
    const suggest = async (url: string) =>
      (await (await fetch(`${url}/api/games/suggest?q=${word.slice(0, 8)}`)).json()) as { title: string }[];
    for (const url of [a.url, bUrl]) expect(await suggest(url)).toEqual([]);
    const created = await op.post('/api/operator/games', gameInput({ title: { en: `${word} Island` }, releaseDate: '2026-10-01' }));
    expect(created.status).toBe(201);
    expect(await suggest(a.url)).toEqual([{ slug: created.body.slug, title: `${word} Island` }]);
    await vi.waitFor(async () => expect((await suggest(bUrl)).map((s) => s.title)).toEqual([`${word} Island`]), {
      timeout: 2000,
      interval: 20,
    });
    const reserved = await op.post('/api/operator/games', gameInput({ slug: 'suggest' }));
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.code).toBe('slug_reserved');
  });

  it('R5 S1.3 a promotion that starts by its schedule is on the cached page once its start has passed', async () => {
    const created = await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01', editions: priced(4000) }));
    const { slug, id } = created.body;
    const page = () => quickly(`${a.url}/api/games/${slug}`);
    const before = await page();
    expect(before.body.price.amountMinor).toBe(4000);
    const v0 = a.store.promotions.version;
    const startsAt = instantToZoned(new Date(a.clock.now().getTime() + 10 * 60_000), 'UTC');
    const promo = await op.post('/api/operator/promotions', {
      name: 'Starts in ten minutes',
      effect: { kind: 'percent_off', percent: 25 },
      targets: { games: [id] },
      stacking: 'best',
      timeZone: 'UTC',
      startsAt,
    });
    expect(promo.status).toBe(201);
    await vi.waitFor(() => expect(a.store.promotions.version).toBeGreaterThan(v0));
    expect((await page()).body.price.amountMinor).toBe(4000);
    a.clock.advance(11 * 60_000);
    const after = await page();
    expect(after.body.price.amountMinor).toBe(3000);
    expect(after.etag).not.toBe(before.etag);
    a.clock.advance(-11 * 60_000);
    expect((await page()).body.price.amountMinor).toBe(4000);
  });

  it('R6 a visitor without cookies gets a page a CDN may keep; with cookies it is private; an unchanged page is a 304', async () => {
    const created = await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01', editions: priced(1000) }));
    const url = `${a.url}/api/games/${created.body.slug}`;
    const anonymous = await fetch(url);
    expect(anonymous.headers.get('cache-control')).toBe('public, max-age=30, stale-while-revalidate=30');
    expect(anonymous.headers.get('vary')).toMatch(/cookie/i);
    const etag = anonymous.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const korean = await fetch(url, { headers: { cookie: 'store_country=KR', 'if-none-match': etag } });
    expect(korean.status).toBe(200);
    expect(korean.headers.get('cache-control')).toBe('private, no-cache');
    expect(korean.headers.get('etag')).not.toBe(etag);
  });
});

describe('signed-in viewers from memory, revoked on every node at once (issue 15, D2, R12)', () => {
  it('D2 signing out everywhere on one node is refused by the other at once, though its viewer was in memory', async () => {
    const { client: player } = await signUp(a);
    const elsewhere = on(bUrl, player);
    for (let i = 0; i < 3; i++) expect((await elsewhere.get('/api/me')).status).toBe(200);
    const revoked = await player.post('/api/auth/revoke-sessions', {});
    expect(revoked.status).toBe(200);
    // Better Auth's own cookie cache would believe the old cookies for a minute; the store asks the database.
    await vi.waitFor(async () => expect((await elsewhere.get('/api/me')).status).toBe(401), { timeout: 2000, interval: 20 });
  });

  it('R12 S1.3 a changed language is on the next page of the node that saved it and, within 2 s, of every node', async () => {
    const { client: player } = await signUp(a, { country: 'KR', language: 'ko' });
    const created = await op.post(
      '/api/operator/games',
      gameInput({ title: { en: 'Harbor Lights', ko: '항구의 불빛' }, releaseDate: '2026-10-01', editions: priced(1000) }),
    );
    const path = `/api/games/${created.body.slug}`;
    const elsewhere = on(bUrl, player);
    expect((await player.get(path)).body.title).toBe('항구의 불빛');
    expect((await elsewhere.get(path)).body.title).toBe('항구의 불빛');
    const saved = await player.patch('/api/me', { language: 'en' });
    expect(saved.status).toBe(200);
    expect((await player.get(path)).body.title).toBe('Harbor Lights');
    await vi.waitFor(async () => expect((await elsewhere.get(path)).body.title).toBe('Harbor Lights'), { timeout: 2000, interval: 20 });
  });

  it('D2 an operator whose role is taken away in the database is refused on every node within 2 s', async () => {
    const other = await signInOperator(a);
    const elsewhere = on(bUrl, other);
    expect((await other.get('/api/operator/games')).status).toBe(200);
    expect((await elsewhere.get('/api/operator/games')).status).toBe(200);
    const me = (await other.get('/api/me')).body;
    await pool.query(`update account_profiles set role = 'player' where user_id = $1`, [me.id]);
    await vi.waitFor(
      async () => {
        expect((await other.get('/api/operator/games')).status).toBe(403);
        expect((await elsewhere.get('/api/operator/games')).status).toBe(403);
      },
      { timeout: 2000, interval: 20 },
    );
  });
});
