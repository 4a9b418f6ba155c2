import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
let op: Client;
beforeAll(async () => {
  t = await startTestStore({ now: '2026-11-24T09:00:00Z' });
  op = await signInOperator(t);
});
afterAll(() => t?.close());

const visitor = (country: string, language = 'en') => {
  const c = new Client(t.url);
  c.cookies.set('store_country', country);
  c.cookies.set('store_language', language);
  return c;
};

describe('operator registers and edits games (S1.1, D3, D4)', () => {
  it('S1.1 D3 a game with texts per language, genres, tags, editions, a price book per country and region rules is registered and shown', async () => {
    const input = gameInput({
      slug: 'moonlight-saga',
      title: { en: 'Moonlight Saga', ko: '문라이트 사가', ja: 'ムーンライト・サーガ' },
      summary: { en: 'A story under the moon.', ko: '달빛 아래의 이야기.', ja: '月の下の物語。' },
      description: { en: 'Long English text.', ko: '긴 한국어 설명.', ja: '長い日本語の説明。' },
      genres: ['RPG', 'Adventure'],
      tags: ['Fantasy', 'Story Rich'],
      releaseDate: '2026-12-20',
      coverUrl: '/covers/moonlight-saga?title=Moonlight%20Saga',
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard', ko: '스탠다드' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 4999 },
            { country: 'KR', currency: 'KRW', amountMinor: 55000 },
            { country: 'JP', currency: 'JPY', amountMinor: 6600 },
          ],
        },
        { code: 'deluxe', name: { en: 'Deluxe' }, prices: [{ country: '*', currency: 'USD', amountMinor: 6999 }] },
      ],
    });
    const created = await op.post('/api/operator/games', input);
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"v1"');
    expect(created.body).toMatchObject({
      slug: 'moonlight-saga',
      version: 1,
      title: input.title,
      summary: input.summary,
      genres: input.genres,
      regions: input.regions,
    });
    // The price book comes back as stored: every entry, in a canonical order (by country, then currency).
    const byKey = (p: { country: string; currency: string }) => `${p.country}/${p.currency}`;
    expect(created.body.editions.map((e: { code: string }) => e.code)).toEqual(['standard', 'deluxe']);
    expect(created.body.editions[0].prices.map(byKey).sort()).toEqual(input.editions[0]!.prices.map(byKey).sort());

    const kr = await visitor('KR', 'ko').get('/api/games/moonlight-saga');
    expect(kr.status).toBe(200);
    expect(kr.body).toMatchObject({
      title: '문라이트 사가',
      description: '긴 한국어 설명.',
      price: { amountMinor: 55000, currency: 'KRW' },
      released: false,
      availability: { purchasable: true },
    });
    expect(kr.body.editions.map((e: { name: string }) => e.name)).toEqual(['스탠다드', 'Deluxe']);
    const jp = await visitor('JP', 'ja').get(`/api/games/${created.body.id}`);
    expect(jp.body).toMatchObject({ title: 'ムーンライト・サーガ', price: { amountMinor: 6600, currency: 'JPY' } });
    // A country without its own entry pays the rest-of-world price; a missing language falls back to English.
    const fr = await visitor('FR', 'fr').get('/api/games/moonlight-saga');
    expect(fr.body).toMatchObject({ title: 'Moonlight Saga', price: { amountMinor: 4999, currency: 'USD' } });
  });

  it('D4 a stale edit gets 409 with the current version, never a silent overwrite; a missing If-Match gets 428', async () => {
    const created = (await op.post('/api/operator/games', gameInput({ title: { en: 'Original' } }))).body;
    const other = await signInOperator(t);
    const first = await other.put(
      `/api/operator/games/${created.id}`,
      { ...gameInput({ slug: created.slug }), title: { en: 'Edited by A' } },
      { 'if-match': '"v1"' },
    );
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const stale = await op.put(
      `/api/operator/games/${created.id}`,
      { ...gameInput({ slug: created.slug }), title: { en: 'Edited by B' } },
      { 'if-match': '"v1"' },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'edit_conflict', details: { currentVersion: 2 } });
    expect(stale.body.error.message).toMatch(/Reload/);
    const noVersion = await op.put(`/api/operator/games/${created.id}`, gameInput({ slug: created.slug }));
    expect(noVersion.status).toBe(428);
    const now = await op.get(`/api/operator/games/${created.id}`);
    expect(now.body.title).toEqual({ en: 'Edited by A' });
    expect(now.headers.get('etag')).toBe('"v2"');
  });

  it('D4 two operators saving the same version at the same moment: exactly one wins', async () => {
    const created = (await op.post('/api/operator/games', gameInput())).body;
    const editors = await Promise.all(Array.from({ length: 6 }, () => signInOperator(t)));
    const results = await Promise.all(
      editors.map((e, i) =>
        e.put(`/api/operator/games/${created.id}`, gameInput({ slug: created.slug, title: { en: `Edit ${i}` } }), { 'if-match': '"v1"' }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
  });

  it('S1.1 bad game documents get 400 with a code and a sentence, never a 500', async () => {
    const cases: [object, string][] = [
      [
        gameInput({ editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: 'KR', currency: 'XYZ', amountMinor: 100 }] }] }),
        'unknown_currency',
      ],
      [gameInput({ regions: { sale: { mode: 'only', countries: [] }, play: { mode: 'everywhere', countries: [] } } }), 'empty_region_list'],
      [gameInput({ title: { ko: '제목만' } }), 'title_required'],
      [
        gameInput({
          editions: [
            {
              code: 'aa',
              name: { en: 'A' },
              prices: [
                { country: 'KR', currency: 'KRW', amountMinor: 1 },
                { country: 'KR', currency: 'KRW', amountMinor: 2 },
              ],
            },
          ],
        }),
        'duplicate_price',
      ],
      [{ ...gameInput(), slug: 'Not A Slug' }, 'invalid_request'],
      [{ ...gameInput(), editions: [] }, 'invalid_request'],
      [{ ...gameInput(), unknownField: 1 }, 'invalid_request'],
    ];
    for (const [body, code] of cases) {
      const res = await op.post('/api/operator/games', body);
      expect(res.status, code).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message.length).toBeGreaterThan(10);
    }
    await op.post('/api/operator/games', gameInput({ slug: 'taken-slug' }));
    const taken = await op.post('/api/operator/games', gameInput({ slug: 'taken-slug' }));
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('slug_taken');
    expect((await op.get('/api/operator/games/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await op.get('/api/operator/games/not-a-uuid')).status).toBe(404);
  });

  it('S1.1 an operator uploads a cover image; a file that is not an image is refused', async () => {
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1c3c70000000049454e44ae426082',
      'hex',
    );
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'cover.png');
    const up = await op.post('/api/operator/media', form);
    expect(up.status).toBe(201);
    expect(up.body.url).toMatch(/^\/media\/[0-9a-f-]{36}\.png$/);
    const served = await fetch(t.url + up.body.url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    const bad = new FormData();
    bad.append('file', new Blob(['<script>alert(1)</script>'], { type: 'image/png' }), 'x.png');
    const refused = await op.post('/api/operator/media', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('unsupported_image');
    const { client: player } = await signUp(t);
    expect((await player.post('/api/operator/media', form)).status).toBe(403);
  });
});

describe('region rules (R12, S1.4 groundwork)', () => {
  it('R12 S1.4 a game not sold in the residence country shows as unavailable with the reason, and the API refuses to price it', async () => {
    const game = (
      await op.post(
        '/api/operator/games',
        gameInput({
          slug: 'korea-only',
          title: { en: 'Korea Only' },
          editions: [
            {
              code: 'standard',
              name: { en: 'Standard' },
              prices: [
                { country: '*', currency: 'USD', amountMinor: 999 },
                { country: 'KR', currency: 'KRW', amountMinor: 12000 },
              ],
            },
          ],
          regions: { sale: { mode: 'only', countries: ['KR'] }, play: { mode: 'everywhere', countries: [] } },
        }),
      )
    ).body;
    const { client: american } = await signUp(t, { country: 'US' });
    const page = await american.get('/api/games/korea-only');
    expect(page.status).toBe(200);
    expect(page.body.price).toBeNull();
    expect(page.body.availability).toMatchObject({ purchasable: false, reason: 'not_sold_in_country' });
    expect(page.body.availability.message).toContain('United States');
    const quote = await american.get(`/api/games/${game.id}/quote`);
    expect(quote.status).toBe(403);
    expect(quote.body.error.code).toBe('not_sold_in_country');

    const { client: korean } = await signUp(t, { country: 'KR', language: 'ko' });
    const ok = await korean.get(`/api/games/${game.id}/quote`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ country: 'KR', price: { amountMinor: 12000, currency: 'KRW' } });
  });

  it('R12 a residence cannot be faked by the country cookie once signed in', async () => {
    const { client } = await signUp(t, { country: 'US' });
    client.cookies.set('store_country', 'KR');
    const page = await client.get('/api/games/korea-only');
    expect(page.body.availability.reason).toBe('not_sold_in_country');
  });

  it('R12 an operator removing a country applies at once to new quotes', async () => {
    const created = (await op.post('/api/operator/games', gameInput({ slug: 'soon-locked' }))).body;
    const { client: german } = await signUp(t, { country: 'DE' });
    expect((await german.get(`/api/games/${created.id}/quote`)).status).toBe(200);
    const edit = await op.put(
      `/api/operator/games/${created.id}`,
      gameInput({
        slug: 'soon-locked',
        regions: { sale: { mode: 'except', countries: ['DE'] }, play: { mode: 'except', countries: ['DE'] } },
      }),
      { 'if-match': created.version.toString() },
    );
    expect(edit.status).toBe(200);
    const refused = await german.get(`/api/games/${created.id}/quote`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_sold_in_country');
  });

  it('R12 a game with no price for the country is not purchasable and says why', async () => {
    await op.post(
      '/api/operator/games',
      gameInput({
        slug: 'japan-priced',
        editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: 'JP', currency: 'JPY', amountMinor: 3000 }] }],
      }),
    );
    const page = await visitor('BR').get('/api/games/japan-priced');
    expect(page.body.availability).toMatchObject({ purchasable: false, reason: 'no_price_in_country' });
  });

  it('S1.1 draft games are invisible to visitors', async () => {
    await op.post(
      '/api/operator/games',
      gameInput({ slug: 'secret-draft', status: 'draft', editions: [{ code: 'standard', name: { en: 'S' }, prices: [] }] }),
    );
    const res = await visitor('US').get('/api/games/secret-draft');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('game_not_found');
  });
});

describe('search (R8, S1.3)', () => {
  beforeAll(async () => {
    const games = [
      gameInput({
        slug: 'dragon-quest-heroes',
        title: { en: 'Dragon Quest Heroes', ko: '드래곤 퀘스트 히어로즈', ja: 'ドラゴンクエストヒーローズ' },
        genres: ['RPG'],
        tags: ['Fantasy'],
        releaseDate: '2025-03-01',
        editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 2999 }] }],
      }),
      gameInput({
        slug: 'space-trucker',
        title: { en: 'Space Trucker' },
        description: { en: 'Haul cargo between stations in deep space.' },
        genres: ['Simulation'],
        tags: ['Space'],
        releaseDate: '2027-02-01',
        editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1499 }] }],
      }),
      gameInput({
        slug: 'racing-stars',
        title: { en: 'Racing Stars', ja: 'レーシングスターズ' },
        genres: ['Racing'],
        tags: ['Cars'],
        releaseDate: '2024-06-01',
        editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 999 }] }],
      }),
      gameInput({
        slug: 'seoul-kitchen',
        title: { en: 'Seoul Kitchen', ko: '서울의 부엌' },
        summary: { ko: '포장마차 게임을 운영하세요' },
        genres: ['Simulation'],
        tags: ['Cooking'],
        releaseDate: '2026-10-01',
        editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 499 }] }],
      }),
    ];
    for (const g of games) expect((await op.post('/api/operator/games', g)).status).toBe(201);
  });
  const titles = (r: { body: { items: { title: string }[] } }) => r.body.items.map((i) => i.title);

  it('R8 S1.3 finds games by English words in title, description and tags', async () => {
    const v = visitor('US');
    expect(titles(await v.get('/api/games?q=dragon'))[0]).toBe('Dragon Quest Heroes');
    expect(titles(await v.get('/api/games?q=cargo%20stations'))).toEqual(['Space Trucker']);
    expect(titles(await v.get('/api/games?q=cooking'))).toContain('Seoul Kitchen');
    expect(titles(await v.get('/api/games?q=spa'))).toContain('Space Trucker');
  });

  it('R8 finds games by Korean and Japanese words, including inside longer words', async () => {
    expect(titles(await visitor('KR', 'ko').get(`/api/games?q=${encodeURIComponent('드래곤')}`))).toContain('드래곤 퀘스트 히어로즈');
    expect(titles(await visitor('KR', 'ko').get(`/api/games?q=${encodeURIComponent('포장마차 게임')}`))).toContain('서울의 부엌');
    expect(titles(await visitor('JP', 'ja').get(`/api/games?q=${encodeURIComponent('クエスト')}`))).toContain('ドラゴンクエストヒーローズ');
    expect(titles(await visitor('JP', 'ja').get(`/api/games?q=${encodeURIComponent('レーシング')}`))).toContain('レーシングスターズ');
  });

  it('R8 tolerates typos', async () => {
    const v = visitor('US');
    expect(titles(await v.get('/api/games?q=dragn%20qest'))[0]).toBe('Dragon Quest Heroes');
    expect(titles(await v.get('/api/games?q=racng%20strs'))[0]).toBe('Racing Stars');
  });

  it('R8 filters by genre, price range and release status, and rejects an inverted price range', async () => {
    const v = visitor('US');
    const sim = await v.get('/api/games?genre=Simulation&pageSize=50');
    expect(sim.body.items.every((g: { genres: string[] }) => g.genres.includes('Simulation'))).toBe(true);
    expect(titles(sim)).toEqual(expect.arrayContaining(['Space Trucker', 'Seoul Kitchen']));
    const cheap = await v.get('/api/games?maxPrice=1000&pageSize=100');
    expect(cheap.body.items.length).toBeGreaterThan(0);
    // Games the visitor cannot buy stay listed (as unavailable, without a price); every price shown is in range.
    for (const g of cheap.body.items as { price: { amountMinor: number } | null; availability: { purchasable: boolean } }[]) {
      if (g.price) expect(g.price.amountMinor).toBeLessThanOrEqual(1000);
      else expect(g.availability.purchasable).toBe(false);
    }
    expect(titles(cheap)).toEqual(expect.arrayContaining(['Racing Stars', 'Seoul Kitchen']));
    const upcoming = await v.get('/api/games?release=upcoming&pageSize=100');
    expect(titles(upcoming)).toContain('Space Trucker');
    expect(upcoming.body.items.every((g: { released: boolean }) => !g.released)).toBe(true);
    const released = await v.get('/api/games?q=space&release=released');
    expect(titles(released)).not.toContain('Space Trucker');
    const inverted = await v.get('/api/games?minPrice=500&maxPrice=100');
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.code).toBe('invalid_price_range');
  });

  it('R8 S1.16 release status follows the injected clock', async () => {
    const before = await visitor('US').get('/api/games/space-trucker');
    expect(before.body.released).toBe(false);
    t.clock.set('2027-02-01T00:00:01Z');
    const after = await visitor('US').get('/api/games/space-trucker');
    expect(after.body.released).toBe(true);
    t.clock.set('2026-11-24T09:00:00Z');
  });

  it('R8 storefront home lists new and upcoming releases', async () => {
    const home = await visitor('US').get('/api/store/home');
    expect(home.status).toBe(200);
    expect(home.body.upcoming.map((g: { slug: string }) => g.slug)).toContain('space-trucker');
    expect(home.body.newReleases.every((g: { released: boolean }) => g.released)).toBe(true);
    expect(home.body.genres.length).toBeGreaterThan(0);
    const genres = await visitor('US').get('/api/store/genres');
    expect(genres.body).toEqual(expect.arrayContaining([{ name: 'Simulation', games: expect.any(Number) }]));
  });
});

describe('platform', () => {
  it('D3 OpenAPI is generated from the route schemas and the docs page is served', async () => {
    const doc = await new Client(t.url).get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/games', '/api/games/{key}', '/api/operator/games/{id}', '/api/accounts']),
    );
    expect((await fetch(t.url + '/docs/')).status).toBe(200);
  });

  it('R2 health, readiness and Prometheus metrics', async () => {
    const c = new Client(t.url);
    expect((await c.get('/health')).body).toEqual({ status: 'ok' });
    expect((await c.get('/ready')).body).toEqual({ status: 'ready' });
    const metrics = await fetch(t.url + '/metrics');
    expect(await metrics.text()).toContain('http_request_duration_seconds_bucket');
  });

  it('R1 unknown routes and bad queries get JSON errors with codes', async () => {
    const c = new Client(t.url);
    const missing = await c.get('/api/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('route_not_found');
    const bad = await c.get('/api/games?pageSize=5000');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
  });
});
