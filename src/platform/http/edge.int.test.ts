import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../../test/harness.ts';

/** Malformed input is refused at the edge with a 400 and a sentence, never a 500 (issue: fuzzing found both). */
let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(() => t?.close());

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('the edge refuses malformed input (D2)', () => {
  it('D2 a NUL character in any text field is a 400, not a database error', async () => {
    const r = await fetch(`${t.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'nul@example.test',
        password: 'correct horse battery',
        name: 'Nul\u0000Name',
        country: 'US',
        language: 'en',
      }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid_text');
    const { client } = await signUp(t);
    const search = await client.get(`/api/search?q=${encodeURIComponent('dragon\u0000')}`);
    expect(search.status).toBe(400);
    const op = await signInOperator(t);
    const game = await op.post('/api/operator/games', gameInput({ title: { en: 'Bad\u0000Title' } }));
    expect(game.status).toBe(400);
  });

  it('D2 JSON nested 5,000 deep is a 400 on every kind of endpoint', async () => {
    const { client } = await signUp(t);
    for (const path of ['/api/accounts', '/api/orders', '/api/auth/sign-in/email', '/api/friends/requests']) {
      const r = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        body: `{"a":${deep(5000)}}`,
      });
      expect(r.status, path).toBe(400);
    }
  });

  it('D2 __proto__ in a body is refused', async () => {
    const r = await fetch(`${t.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__":{"role":"operator"},"email":"p@example.test"}',
    });
    expect(r.status).toBe(400);
  });

  it('D2 security headers: no sniffing, no framing; pages get a script policy of their own origin', async () => {
    const page = await fetch(`${t.url}/search`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const api = await fetch(`${t.url}/api/games?limit=1`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('D2 numbers that are not finite or beyond 2^53 are a 400, in a query or a body', async () => {
    const op = await signInOperator(t);
    for (const q of ['pageSize=1e309', 'page=1e20', 'page=Infinity']) {
      const r = await op.get(`/api/operator/games?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('number_out_of_range');
    }
    // Words that spell a number are words where the API takes text (a game called "Infinity", "1e309").
    for (const q of ['q=Infinity', 'q=1e309&genre=Action', 'q=Infinity&maxPrice=2000']) {
      expect((await op.get(`/api/games?${q}`)).status, q).toBe(200);
      expect((await op.get(`/api/operator/games?${q}`)).status, q).toBe(200);
    }
    expect((await op.get(`/api/games?q=Infinity&maxPrice=Infinity`)).status).toBe(400);
    const { client } = await signUp(t);
    const r = await fetch(`${t.url}/api/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'edge-test-key-1',
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      body: '{"gameId":"00000000-0000-4000-a000-000000000000","pointsToUse":1e309,"paymentMethod":"card"}',
    });
    expect(r.status).toBe(400);
    // Ordinary numbers still pass.
    expect((await op.get('/api/operator/games?page=2&pageSize=20')).status).toBe(200);
  });

  it('D2 an uploaded GIF that is also an HTML page is served as an image that can never run', async () => {
    const op = await signInOperator(t);
    const polyglot = Buffer.concat([
      Buffer.from('GIF89a'),
      Buffer.from([1, 0, 1, 0, 0, 0, 0]),
      Buffer.from('<html><script>alert(document.cookie)</script></html>'),
    ]);
    const form = new FormData();
    form.append('file', new Blob([polyglot], { type: 'text/html' }), 'cover.html');
    const up = await op.request('POST', '/api/operator/media', form);
    expect(up.status).toBe(201);
    const served = await fetch(`${t.url}${up.body.url}`);
    expect(served.headers.get('content-type')).toBe('image/gif');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
  });
});
