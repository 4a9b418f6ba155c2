import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { settle } from '../../test/checkout.ts';

let t: TestStore;
let gameId: string;
type User = Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  const op = await signInOperator(t);
  const g = await op.post(
    '/api/operator/games',
    gameInput({
      releaseDate: '2026-10-01',
      editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 999 }] }],
    }),
  );
  gameId = g.body.id;
});
afterAll(() => t?.close());

async function owner(name: string): Promise<User> {
  const u = await signUp(t, { name });
  const placed = await u.client.post(
    '/api/orders',
    { gameId, pointsToUse: 0, paymentMethod: 'card' },
    { 'idempotency-key': randomBytes(8).toString('hex') },
  );
  expect((await settle(u.client, placed.body.id)).status).toBe('paid');
  return u;
}

describe('ratings and reviews (R9)', () => {
  it('R9 only owners review; the review shows the playtime when it was written; rewriting keeps one review', async () => {
    const stranger = await signUp(t);
    const refused = await stranger.client.put(`/api/games/${gameId}/reviews/mine`, { recommended: true, body: 'Looks fun' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_owned');
    expect((await new Client(t.url).put(`/api/games/${gameId}/reviews/mine`, { recommended: true, body: 'x' })).status).toBe(401);

    const alice = await owner('Alice');
    const session = await alice.client.post('/api/play/sessions', { gameId });
    for (let i = 0; i < 9; i++) {
      t.clock.advance(4 * 60_000);
      await alice.client.post(`/api/play/sessions/${session.body.id}/heartbeat`);
    }
    await alice.client.post(`/api/play/sessions/${session.body.id}/stop`);
    const blank = await alice.client.put(`/api/games/${gameId}/reviews/mine`, { recommended: true, body: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.code).toBe('review_empty');
    const written = await alice.client.put(`/api/games/${gameId}/reviews/mine`, { recommended: false, body: 'Too short for the price.' });
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ recommended: false, playtimeMinutes: 36, author: { name: 'Alice' }, helpful: 0 });
    const rewritten = await alice.client.put(`/api/games/${gameId}/reviews/mine`, {
      recommended: true,
      body: 'The update fixed it. Great now.',
    });
    expect(rewritten.body).toMatchObject({ id: written.body.id, recommended: true, body: 'The update fixed it. Great now.' });
    const page = (await new Client(t.url).get(`/api/games/${gameId}/reviews`)).body;
    expect(page.summary).toEqual({ total: 1, positive: 1, percentPositive: 100, label: 'few_reviews' });
    expect(page.items.map((r: { id: string }) => r.id)).toEqual([written.body.id]);
    expect(page.mine).toBeNull();
    expect((await alice.client.get(`/api/games/${gameId}/reviews`)).body.mine.id).toBe(written.body.id);
  });

  it('R9 D4 helpful and funny votes: one per voter, changeable, counted exactly under concurrency; not on your own review', async () => {
    const bob = await owner('Bob');
    const review = (await bob.client.put(`/api/games/${gameId}/reviews/mine`, { recommended: true, body: 'Loved every minute.' })).body;
    const own = await bob.client.put(`/api/reviews/${review.id}/vote`, { helpful: 'yes', funny: false });
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('own_review');
    const voters = await Promise.all(Array.from({ length: 12 }, () => signUp(t)));
    await Promise.all(
      voters.map((v, i) => v.client.put(`/api/reviews/${review.id}/vote`, { helpful: i % 3 !== 0 ? 'yes' : 'no', funny: i % 2 === 0 })),
    );
    // Everyone votes again at once, the same votes: nothing may drift.
    await Promise.all(
      voters.map((v, i) => v.client.put(`/api/reviews/${review.id}/vote`, { helpful: i % 3 !== 0 ? 'yes' : 'no', funny: i % 2 === 0 })),
    );
    let now = (await voters[0]!.client.get(`/api/games/${gameId}/reviews?sort=recent`)).body.items.find(
      (r: { id: string }) => r.id === review.id,
    );
    expect(now).toMatchObject({ helpful: 8, unhelpful: 4, funny: 6, myVote: { helpful: 'no', funny: true } });
    // The first voter changes their mind, then takes the helpful vote back.
    await voters[0]!.client.put(`/api/reviews/${review.id}/vote`, { helpful: 'yes', funny: false });
    now = (await voters[0]!.client.put(`/api/reviews/${review.id}/vote`, { helpful: 'none', funny: false })).body;
    expect(now).toMatchObject({ helpful: 8, unhelpful: 3, funny: 5, myVote: { helpful: 'none', funny: false } });
    expect(
      (await voters[1]!.client.put(`/api/reviews/${randomBytes(4).toString('hex')}/vote`, { helpful: 'yes', funny: false })).status,
    ).toBe(404);
    // Most helpful first.
    const page = (await new Client(t.url).get(`/api/games/${gameId}/reviews?sort=helpful`)).body;
    expect(page.items[0].id).toBe(review.id);
    expect(page.summary).toMatchObject({ total: 2, positive: 2 });
    expect((await bob.client.delete(`/api/games/${gameId}/reviews/mine`)).status).toBe(204);
    expect((await bob.client.delete(`/api/games/${gameId}/reviews/mine`)).status).toBe(404);
  });
});
