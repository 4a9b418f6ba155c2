import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Client, gameInput, signInOperator, startTestStore, type TestStore } from '../../test/harness.ts';
import { kyselyFor } from '../platform/db/database.ts';
import { sentimentOf, socialTrends, type SnsTables } from './sns.ts';

let t: TestStore;
const feed = join(mkdtempSync(join(tmpdir(), 'sns-')), 'posts.jsonl');
const games: Record<string, string> = {};
const post = (id: string, at: string, text: string) => JSON.stringify({ id, at, text });

beforeAll(async () => {
  writeFileSync(feed, '');
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true, env: { SNS_FEED_FILE: feed } });
  const op = await signInOperator(t);
  for (const title of ['Orchard Days', 'Neon Siege', 'Quiet Harbor']) {
    const r = await op.post(
      '/api/operator/games',
      gameInput({
        title: { en: title },
        editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 999 }] }],
      }),
    );
    games[title] = r.body.id;
  }
});
afterAll(() => t?.close());

describe('content from social networks (R9)', () => {
  it('R9 sentiment: praise scores above complaints', () => {
    expect(sentimentOf('Orchard Days is wonderful, I love it!')).toBeGreaterThan(0.3);
    expect(sentimentOf('Neon Siege is broken and boring, awful servers.')).toBeLessThan(-0.3);
  });

  it('R9 posts naming games become mentions with sentiment, once per post; games talked about well are recommended with that reason', async () => {
    const lines = [
      ...[1, 2, 3, 4, 5].map((i) =>
        post(`p${i}`, `2026-12-01T0${i}:00:00Z`, `Just finished Orchard Days — lovely, relaxing, great music #${i}`),
      ),
      ...[6, 7, 8].map((i) => post(`p${i}`, `2026-12-01T0${i}:00:00Z`, 'neon siege servers are terrible, refund time')),
      post('p9', '2026-12-01T09:00:00Z', 'Nothing about games today'),
      '{not json',
    ];
    writeFileSync(feed, lines.join('\n'));
    expect(await t.store.sns!.runOnce()).toEqual({ posts: 9, mentions: 8 });
    expect(await t.store.sns!.runOnce()).toEqual({ posts: 0, mentions: 0 }); // the cursor moved past them
    // Read from the start again (a lost cursor): the same posts count once.
    const db = kyselyFor(t.store.pool);
    await sql`delete from rec_sns_cursors`.execute(db);
    await t.store.sns!.runOnce();
    const counted = await sql<{
      game_id: string;
      n: number;
    }>`select game_id, count(*)::int as n from rec_sns_mentions group by game_id`.execute(db);
    expect(Object.fromEntries(counted.rows.map((r) => [r.game_id, r.n]))).toEqual({
      [games['Orchard Days']!]: 5,
      [games['Neon Siege']!]: 3,
    });

    const recs = (await new Client(t.url).get('/api/recommendations?limit=3')).body;
    expect(recs[0]).toMatchObject({ game: { id: games['Orchard Days'] }, reason: { kind: 'trending_social', mentions: 5 } });
    // Five compliments trend above three complaints.
    const trends = await socialTrends(kyselyFor<SnsTables>(t.store.pool), new Date('2026-11-01T00:00:00Z'), 10);
    expect(trends.map((x) => x.gameId)).toEqual([games['Orchard Days'], games['Neon Siege']]);
    expect(trends[0]!.sentiment).toBeGreaterThan(0);
    expect(trends[1]!.sentiment).toBeLessThan(0);
  });
});
