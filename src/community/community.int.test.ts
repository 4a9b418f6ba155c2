import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
let op: Awaited<ReturnType<typeof signInOperator>>;
let gameId: string;

beforeAll(async () => {
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  op = await signInOperator(t);
  gameId = (await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01' }))).body.id;
});
afterAll(() => t?.close());

describe('discussion boards per game (R14)', () => {
  it('R14 players start threads and reply; operators pin and lock; visitors read; strong words are hidden from everyone but the author', async () => {
    const alice = await signUp(t, { name: 'Alice' });
    const bob = await signUp(t, { name: 'Bob' });
    expect((await new Client(t.url).post(`/api/games/${gameId}/discussions`, { title: 'x', body: 'y' })).status).toBe(401);
    const first = await alice.client.post(`/api/games/${gameId}/discussions`, { title: 'Best build?', body: 'Which class is the shit?' });
    expect(first.status).toBe(201);
    t.clock.advance(60_000);
    const second = await bob.client.post(`/api/games/${gameId}/discussions`, { title: 'Patch notes', body: 'Read these first.' });
    t.clock.advance(60_000);
    const reply = await bob.client.post(`/api/discussions/${first.body.id}/posts`, { body: 'The mage, easily.' });
    expect(reply.status).toBe(201);

    // Visitors read; the most recent activity first, pinned above all.
    const visitor = new Client(t.url);
    expect((await visitor.get(`/api/games/${gameId}/discussions`)).body.map((x: { title: string }) => x.title)).toEqual([
      'Best build?',
      'Patch notes',
    ]);
    expect((await op.put(`/api/operator/discussions/${second.body.id}`, { pinned: true })).body.pinned).toBe(true);
    expect((await visitor.get(`/api/games/${gameId}/discussions`)).body.map((x: { title: string }) => x.title)).toEqual([
      'Patch notes',
      'Best build?',
    ]);
    const thread = (await visitor.get(`/api/discussions/${first.body.id}`)).body;
    expect(thread.thread.posts).toBe(2);
    expect(thread.posts.map((p: { body: string }) => p.body)).toEqual(['Which class is the ♥♥♥♥?', 'The mage, easily.']);
    expect((await alice.client.get(`/api/discussions/${first.body.id}`)).body.posts[0].body).toBe('Which class is the shit?');

    // Locked: no more replies.
    expect((await bob.client.put(`/api/operator/discussions/${first.body.id}`, { locked: true })).status).toBe(403);
    expect((await op.put(`/api/operator/discussions/${first.body.id}`, { locked: true })).body.locked).toBe(true);
    const late = await alice.client.post(`/api/discussions/${first.body.id}/posts`, { body: 'One more thing' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('thread_locked');
    expect((await visitor.get(`/api/games/00000000-0000-4000-a000-000000000000/discussions`)).status).toBe(404);
  });

  it('R9 R14 a post on a game’s board is an event the recommender reads as interest in that game', async () => {
    const carol = await signUp(t, { name: 'Carol' });
    await carol.client.post(`/api/games/${gameId}/discussions`, { title: 'Looking for a group', body: 'Anyone up tonight?' });
    await t.store.events.caughtUp();
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const r = await db.query('select user_id from rec_signals where user_id = $1 and game_id = $2', [carol.me.id, gameId]);
      expect(r.rows.length).toBe(1);
      const e = await db.query(`select payload from domain_events where type = 'community.posted' and payload->>'userId' = $1`, [
        carol.me.id,
      ]);
      expect(e.rows[0].payload).toMatchObject({ gameId, userId: carol.me.id });
    } finally {
      await db.end();
    }
  });
});
