import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, signUp, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
beforeAll(async () => {
  // A small friend-request budget, so the flood test needs few users.
  t = await startTestStore({ durable: true, env: { FRIEND_REQUESTS_PER_HOUR: '20' } });
});
afterAll(() => t?.close());

async function waitForMail(to: string) {
  await vi.waitFor(() => expect(t.mailbox.to(to).length).toBeGreaterThan(0), { timeout: 5_000, interval: 50 }).catch(() => undefined);
  return t.mailbox.to(to);
}

describe('friends (S2.4, S2.6)', () => {
  it('S2.6 a user is found by name or exact email and asked to be a friend; they get a mail and a notification', async () => {
    const minji = await signUp(t, { name: 'Minji Kim', country: 'KR' });
    const yuki = await signUp(t, { name: 'Yuki Tanaka', country: 'JP' });
    const byName = await minji.client.get('/api/users?q=yuki');
    expect(byName.body).toEqual([{ id: yuki.me.id, name: 'Yuki Tanaka' }]);
    expect((await minji.client.get(`/api/users?q=${encodeURIComponent(yuki.email)}`)).body).toEqual([
      { id: yuki.me.id, name: 'Yuki Tanaka' },
    ]);
    expect((await minji.client.get('/api/users?q=Minji')).body).toEqual([]); // never yourself

    const asked = await minji.client.post('/api/friends/requests', { userId: yuki.me.id });
    expect(asked.status).toBe(201);
    expect(asked.body.status).toBe('requested');
    expect((await waitForMail(yuki.email)).map((m) => m.subject)).toEqual(['Minji Kim wants to be your friend']);
    const notes = (await yuki.client.get('/api/notifications')).body;
    expect(notes).toEqual([
      expect.objectContaining({ kind: 'friend_request', payload: { from: { id: minji.me.id, name: 'Minji Kim' } }, read: false }),
    ]);
    expect((await yuki.client.post(`/api/notifications/${notes[0].id}/read`)).status).toBe(204);
    expect((await yuki.client.get('/api/notifications')).body[0].read).toBe(true);
    expect((await minji.client.post(`/api/notifications/${notes[0].id}/read`)).status).toBe(404);
  });

  it('S2.4 a friendship needs the approval of the other user; then both see each other', async () => {
    const a = await signUp(t, { name: 'Alice' });
    const b = await signUp(t, { name: 'Bob' });
    await a.client.post('/api/friends/requests', { userId: b.me.id });
    expect((await a.client.get('/api/friends')).body).toEqual({ friends: [], incoming: [], outgoing: [{ id: b.me.id, name: 'Bob' }] });
    expect((await b.client.get('/api/friends')).body.incoming).toEqual([{ id: a.me.id, name: 'Alice' }]);
    expect((await a.client.post(`/api/friends/requests/${b.me.id}/accept`)).status).toBe(404); // only the asked one accepts
    expect((await b.client.post(`/api/friends/requests/${a.me.id}/accept`)).status).toBe(204);
    expect((await a.client.get('/api/friends')).body.friends).toEqual([{ id: b.me.id, name: 'Bob' }]);
    expect((await b.client.get('/api/friends')).body.friends).toEqual([{ id: a.me.id, name: 'Alice' }]);
    expect((await a.client.get('/api/notifications')).body[0]).toMatchObject({ kind: 'friend_accepted', payload: { by: { name: 'Bob' } } });
    const again = await a.client.post('/api/friends/requests', { userId: b.me.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_friends');
    expect((await a.client.delete(`/api/friends/${b.me.id}`)).status).toBe(204);
    expect((await b.client.get('/api/friends')).body.friends).toEqual([]);
  });

  it('S2.4 two users asking each other at the same time become friends once; a declined request leaves nothing', async () => {
    const a = await signUp(t, { name: 'Chris' });
    const b = await signUp(t, { name: 'Dana' });
    const results = await Promise.all([
      a.client.post('/api/friends/requests', { userId: b.me.id }),
      b.client.post('/api/friends/requests', { userId: a.me.id }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(201);
    // Either the second request accepted the first, or it was refused as pending: never two rows.
    if (results.every((r) => r.status === 201)) expect((await a.client.get('/api/friends')).body.friends).toHaveLength(1);
    const c = await signUp(t, { name: 'Eve' });
    await c.client.post('/api/friends/requests', { userId: a.me.id });
    expect((await a.client.post(`/api/friends/requests/${c.me.id}/decline`)).status).toBe(204);
    expect((await c.client.get('/api/friends')).body).toEqual({ friends: [], incoming: [], outgoing: [] });
  });

  it('S2.4 a blocked user cannot ask again and no longer finds the blocker', async () => {
    const a = await signUp(t, { name: 'Frank Block' });
    const b = await signUp(t, { name: 'Grace Pest' });
    await b.client.post('/api/friends/requests', { userId: a.me.id });
    expect((await a.client.put(`/api/blocks/${b.me.id}`)).status).toBe(204);
    expect((await a.client.get('/api/friends')).body.incoming).toEqual([]);
    const again = await b.client.post('/api/friends/requests', { userId: a.me.id });
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('blocked');
    expect((await b.client.get('/api/users?q=Frank')).body).toEqual([]);
    expect((await a.client.post('/api/friends/requests', { userId: a.me.id })).body.error.code).toBe('cannot_befriend_self');
    expect((await a.client.post('/api/friends/requests', { userId: 'nobody' })).status).toBe(404);
  });

  it('S2.6 D2 a flood of friend requests (each one mails somebody) is refused after FRIEND_REQUESTS_PER_HOUR (20 here) an hour', async () => {
    const spammer = await signUp(t, { name: 'Spammer' });
    const targets = await Promise.all(Array.from({ length: 21 }, (_, i) => signUp(t, { name: `Target ${i}` })));
    const statuses = [];
    for (const target of targets) statuses.push((await spammer.client.post('/api/friends/requests', { userId: target.me.id })).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('S2.6 D2 looking users up by exact email is limited (30 an hour), so a list of addresses cannot be checked against the store', async () => {
    const prober = await signUp(t, { name: 'Prober' });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await prober.client.get(`/api/users?q=${encodeURIComponent(`someone${i}@example.test`)}`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    // Names still work.
    expect((await prober.client.get('/api/users?q=Target')).status).toBe(200);
  });
  it('R1 S2.6 errors and mail speak the reader’s language: the profile’s, else the visitor’s choice, else Accept-Language', async () => {
    const haneul = await signUp(t, { name: 'Haneul Seo', country: 'KR', language: 'ko' });
    const aoi = await signUp(t, { name: 'Aoi Mori', country: 'JP', language: 'ja' });
    const sam = await signUp(t, { name: 'Sam Reed', country: 'US', language: 'en' });
    // A signed-in user's errors follow their profile, whatever the browser asks for.
    const self = await haneul.client.post('/api/friends/requests', { userId: haneul.me.id }, { 'accept-language': 'en-US' });
    expect(self.status).toBe(400);
    expect(self.body.error).toEqual({ code: 'cannot_befriend_self', message: '자기 자신에게는 친구 요청을 보낼 수 없습니다.' });
    expect((await sam.client.post('/api/friends/requests', { userId: sam.me.id })).body.error.message).toBe(
      'You cannot send a friend request to yourself.',
    );
    // Values are filled in, in the reader's words; the code stays the same in every language.
    expect((await haneul.client.post('/api/friends/requests', { userId: aoi.me.id })).status).toBe(201);
    const again = await haneul.client.post('/api/friends/requests', { userId: aoi.me.id });
    expect(again.body.error).toEqual({
      code: 'request_pending',
      message: '이미 Aoi Mori님에게 친구 요청을 보냈습니다. 아직 답이 없습니다.',
    });
    // The request's mail reaches Aoi in Japanese.
    expect((await waitForMail(aoi.email)).map((m) => m.subject)).toEqual(['Haneul Seoさんからフレンド申請が届きました']);
    // Request validation, in the platform's catalogue.
    const invalid = await aoi.client.post('/api/friends/requests', {});
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_request');
    expect(invalid.body.error.message).toMatch(/^bodyが正しくありません: .*userId.*。修正してからもう一度送信してください。$/);
    // Visitors: Accept-Language, unless they chose a language in the store (cookie); unknown languages read English.
    const visitor = (headers: Record<string, string>) => new Client(t.url).get('/api/friends', headers);
    expect((await visitor({ 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' })).body.error).toEqual({
      code: 'not_signed_in',
      message: 'この操作にはサインインが必要です。',
    });
    expect((await visitor({ 'accept-language': 'ja', cookie: 'store_language=ko' })).body.error.message).toBe('로그인해야 할 수 있습니다.');
    expect((await visitor({ 'accept-language': 'fr-FR,fr' })).body.error.message).toBe('Sign in to do this.');
  });
});
